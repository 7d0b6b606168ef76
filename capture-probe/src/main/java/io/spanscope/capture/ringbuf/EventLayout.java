package io.spanscope.capture.ringbuf;

/**
 * Byte offsets of the ring-buffer event structs of {@code src/main/bpf/socket_trace.h}, which is the
 * source of truth; {@code EventLayoutTest} compiles that header and checks every value here against
 * the C compiler's {@code offsetof}/{@code sizeof}. All fields are little-endian.
 */
public final class EventLayout {

    private EventLayout() {
    }

    // enum st_event_type
    public static final int TYPE_DATA = 1;
    public static final int TYPE_OPEN = 2;
    public static final int TYPE_CLOSE = 3;
    public static final int TYPE_ESTABLISHED = 4;
    public static final int TYPE_PROCESS_EXEC = 5;
    public static final int TYPE_PROCESS_EXIT = 6;
    public static final int TYPE_LIBRARY_MAPPED = 7;

    public static final int CHUNK_BYTES = 8192;
    public static final int MAX_PAYLOAD_CAP = 64 << 20;
    public static final int ADDRESS_BYTES = 16;
    public static final int AF_INET6 = 10;

    // struct st_event_header (every event starts with it)
    public static final int HEADER_TYPE = 0;
    public static final int HEADER_TGID = 4;
    public static final int HEADER_TID = 8;
    public static final int HEADER_FD = 12;
    public static final int HEADER_TIMESTAMP_NS = 16;
    public static final int HEADER_GENERATION = 24;
    public static final int HEADER_SIZE = 32;

    // struct st_endpoints, relative to its own start
    public static final int ENDS_LOCAL_ADDR = 0;
    public static final int ENDS_REMOTE_ADDR = 16;
    public static final int ENDS_LOCAL_PORT = 32;
    public static final int ENDS_REMOTE_PORT = 34;
    public static final int ENDS_FAMILY = 36;
    public static final int ENDS_SIZE = 40;

    // struct st_data_event
    public static final int DATA_ENDS = 32;
    public static final int DATA_CGROUP_ID = 72;
    public static final int DATA_TCP_SEQ = 80;
    public static final int DATA_BYTE_COUNT = 84;
    public static final int DATA_PAYLOAD_LEN = 88;
    public static final int DATA_SYSCALL = 92;
    public static final int DATA_DIRECTION = 94;
    public static final int DATA_ROLE = 95;
    public static final int DATA_FLAGS = 96;
    public static final int DATA_CAUSE_SEQ = 100;
    public static final int DATA_CAUSE_GENERATION = 104;
    public static final int DATA_TLS_LIBRARY = 112;
    public static final int DATA_CLIENT_WAKEUP_AGE = 116;
    public static final int DATA_PAYLOAD = 120;
    public static final int DATA_SIZE = 120;

    // st_data_event.flags
    public static final int FLAG_TRUNCATED = 0x1;
    public static final int FLAG_NO_PAYLOAD = 0x2;
    public static final int FLAG_READ_FAULT = 0x4;
    public static final int FLAG_TLS = 0x8;
    /** Server response: the cause fields name the client call whose completion woke the writing thread. */
    public static final int FLAG_COMPLETION = 0x10;
    /** TLS plaintext whose record was not found: its sequence number only orders it and must not link it. */
    public static final int FLAG_SEQUENCE_UNKNOWN = 0x20;
    // st_open_event.flags
    public static final int FLAG_JOINED_MID_STREAM = 0x1;

    // struct st_open_event
    public static final int OPEN_ENDS = 32;
    public static final int OPEN_CGROUP_ID = 72;
    public static final int OPEN_SYSCALL = 80;
    public static final int OPEN_ROLE = 82;
    public static final int OPEN_FLAGS = 84;
    public static final int OPEN_SIZE = 88;

    // struct st_close_event
    public static final int CLOSE_BYTES_SENT = 32;
    public static final int CLOSE_BYTES_RECEIVED = 40;
    public static final int CLOSE_SIZE = 48;

    // struct st_established_event
    public static final int ESTABLISHED_SYN_SENT_NS = 32;
    public static final int ESTABLISHED_ESTABLISHED_NS = 40;
    public static final int ESTABLISHED_ACCEPTED_NS = 48;
    public static final int ESTABLISHED_ROLE = 56;
    public static final int ESTABLISHED_SIZE = 64;

    // struct st_process_event
    public static final int PROCESS_COMM = 32;
    public static final int PROCESS_SIZE = 48;

    // struct st_library_mapped_event
    public static final int LIBRARY_MAPPED_INODE = 32;
    public static final int LIBRARY_MAPPED_DEV = 40;
    public static final int LIBRARY_MAPPED_SIZE = 48;

    // struct st_config (the "settings" map value)
    public static final int CONFIG_SELF_TGID = 0;
    public static final int CONFIG_PAYLOAD_CAP = 4;
    public static final int CONFIG_FILTER_FLAGS = 8;
    public static final int CONFIG_WAKEUP_BYTES = 12;
    public static final int CONFIG_HANDOFF_FLAGS = 16;
    public static final int CONFIG_CAUSE_TTL_NS = 24;
    public static final int CONFIG_SIZE = 32;
    public static final int HANDOFF_ENABLED = 0x1;
    public static final int FILTER_PID_ALLOW_ACTIVE = 0x1;
    public static final int FILTER_CGROUP_ALLOW_ACTIVE = 0x2;
    public static final int FILTER_PORT_ALLOW_ACTIVE = 0x4;
    public static final int FILTER_PID_LISTED = 0x8;
    public static final int FILTER_CGROUP_LISTED = 0x10;
    public static final int FILTER_ALLOW = 0x1;
    public static final int FILTER_DENY = 0x2;

    // enum st_counter (index into the per-CPU "counters" map)
    public static final int COUNTER_RINGBUF_DROPS = 0;
    public static final int COUNTER_RINGBUF_DROP_BYTES = 1;
    public static final int COUNTER_TRUNCATED_BYTES = 2;
    public static final int COUNTER_UNIX_BYTES = 3;
    public static final int COUNTER_READ_FAULTS = 4;
    public static final int COUNTER_ACTIVE_DROPS = 5;
    public static final int COUNTER_MMSG_CALLS = 6;
    public static final int COUNTER_SENDFILE_BYTES = 7;
    public static final int COUNTER_CAUSE_WAKEUPS = 8;
    public static final int COUNTER_CAUSE_CONFLICTS = 9;
    public static final int COUNTER_CAUSE_TABLE_FULL = 10;
    public static final int COUNTER_TLS_CIPHERTEXT_BYTES = 11;
    public static final int COUNTER_TLS_UNASSOCIATED = 12;
    public static final int COUNTER_TLS_NESTING_DROPS = 13;
    public static final int COUNTER_COMPLETIONS_DELIVERED = 14;
    public static final int COUNTER_COMPLETION_CONFLICTS = 15;
    public static final int COUNTER_GO_TLS_UNASSOCIATED = 16;
    public static final int COUNTER_GO_TLS_TABLE_DROPS = 17;
    public static final int COUNTER_MULTIPLEXERS = 18;
    public static final int COUNTER_INTERRUPT_WAKEUPS = 19;
    public static final int COUNTER_GO_TLS_UNNUMBERED = 20;
    public static final int COUNTER_COUNT = 21;
}
