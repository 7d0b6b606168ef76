/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Wire layout shared by the BPF programs and the Java decoder
 * (io.spanscope.capture.ringbuf.EventLayout). This file is the single source of truth: every struct
 * below is read by Java at fixed offsets, and EventLayoutTest compiles this header with gcc to prove
 * that the Java offsets equal the C ones. Change a field here, change EventLayout, run the test.
 *
 * Types come from the includer (vmlinux.h in BPF, linux/types.h in the layout test). All fields are
 * naturally aligned so the layout is the same for clang -target bpf and gcc x86_64.
 */
#ifndef SPANSCOPE_SOCKET_TRACE_H
#define SPANSCOPE_SOCKET_TRACE_H

/* Payload bytes per data event; a syscall larger than this becomes several events. */
#define ST_CHUNK_BYTES 8192
/* Upper bound of the per-syscall payload cap accepted from user space (64 MiB). */
#define ST_MAX_PAYLOAD_CAP (64u << 20)
/* iovec entries walked per syscall (UIO_MAXIOV); bytes beyond are a counted, known-length hole. */
#define ST_MAX_IOV 1024
#define ST_ADDR_BYTES 16

enum st_event_type {
	ST_EVENT_DATA = 1,
	ST_EVENT_OPEN = 2,
	ST_EVENT_CLOSE = 3,
	ST_EVENT_ESTABLISHED = 4,
	ST_EVENT_PROCESS_EXEC = 5,
	ST_EVENT_PROCESS_EXIT = 6,
	ST_EVENT_LIBRARY_MAPPED = 7,  /* a traced process mapped a file executable (exec, dlopen) */
};

/* Which syscall produced a data event (our own numbering, stable across architectures). */
enum st_syscall {
	ST_SYS_READ = 1,
	ST_SYS_WRITE = 2,
	ST_SYS_READV = 3,
	ST_SYS_WRITEV = 4,
	ST_SYS_SENDTO = 5,
	ST_SYS_RECVFROM = 6,
	ST_SYS_SENDMSG = 7,
	ST_SYS_RECVMSG = 8,
	ST_SYS_SENDMMSG = 9,
	ST_SYS_RECVMMSG = 10,
	ST_SYS_SENDFILE = 11,
	ST_SYS_CONNECT = 12,
	ST_SYS_ACCEPT = 13,
	ST_SYS_ACCEPT4 = 14,
	ST_SYS_SSL_READ = 15,   /* plaintext returned by SSL_read / SSL_read_ex */
	ST_SYS_SSL_WRITE = 16,  /* plaintext passed to SSL_write / SSL_write_ex */
};

enum st_direction {
	ST_DIR_EGRESS = 0,
	ST_DIR_INGRESS = 1,
};

/* Same order as io.spanscope.capture.event.Role. */
enum st_role {
	ST_ROLE_UNKNOWN = 0,
	ST_ROLE_CLIENT = 1,
	ST_ROLE_SERVER = 2,
};

/* st_data_event.flags */
#define ST_FLAG_TRUNCATED 0x1        /* payload_len < byte_count: the cap (or a fault) cut the bytes */
#define ST_FLAG_NO_PAYLOAD 0x2       /* metadata only by design (sendfile, sendmmsg, recvmmsg) */
#define ST_FLAG_READ_FAULT 0x4       /* bpf_probe_read_user failed for this chunk */
#define ST_FLAG_TLS 0x8              /* plaintext of a TLS library call; tcp_seq is the nested syscall's */
#define ST_FLAG_COMPLETION 0x10      /* server response: cause_* name the client call (connection generation,
				      * response's first byte) whose completion woke the writing thread */
#define ST_FLAG_SEQUENCE_UNKNOWN 0x20 /* TLS plaintext whose record was not found: tcp_seq only orders it */
/* st_open_event.flags */
#define ST_FLAG_JOINED_MID_STREAM 0x1

/* Per-CPU counters (index into the "counters" map). */
enum st_counter {
	ST_CTR_RINGBUF_DROPS = 0,     /* events lost: bpf_ringbuf_output failed */
	ST_CTR_RINGBUF_DROP_BYTES = 1,/* stream bytes those lost data events stood for */
	ST_CTR_TRUNCATED_BYTES = 2,   /* stream bytes not captured because of the payload cap */
	ST_CTR_UNIX_BYTES = 3,        /* bytes moved on AF_UNIX stream sockets (counted, not captured) */
	ST_CTR_READ_FAULTS = 4,       /* payload chunks that could not be read from user memory */
	ST_CTR_ACTIVE_DROPS = 5,      /* syscalls not traced: no per-thread in-flight slot (allocation failed) */
	ST_CTR_MMSG_CALLS = 6,        /* sendmmsg/recvmmsg calls seen on traced TCP sockets */
	ST_CTR_SENDFILE_BYTES = 7,    /* bytes sent by sendfile on traced TCP sockets (no payload) */
	ST_CTR_CAUSE_WAKEUPS = 8,     /* in-process wakeups that carried a cause to the woken thread */
	ST_CTR_CAUSE_CONFLICTS = 9,   /* wakeups or reads that made a thread's cause ambiguous */
	ST_CTR_CAUSE_TABLE_FULL = 10, /* causes not recorded because the per-thread table was full */
	ST_CTR_TLS_CIPHERTEXT_BYTES = 11, /* ciphertext bytes of TLS-traced connections, not forwarded */
	ST_CTR_TLS_UNASSOCIATED = 12, /* SSL calls whose connection was unknown (plaintext dropped) */
	ST_CTR_TLS_NESTING_DROPS = 13,/* SSL calls not traced because the in-flight SSL table was full */
	ST_CTR_COMPLETIONS_DELIVERED = 14, /* client-call completions that reached a thread serving a request */
	ST_CTR_COMPLETION_CONFLICTS = 15,  /* completions made ambiguous (two calls or wakers reached a thread) */
	ST_CTR_GO_TLS_UNASSOCIATED = 16, /* Go crypto/tls calls with plaintext whose connection was unknown */
	ST_CTR_GO_TLS_TABLE_DROPS = 17,  /* Go crypto/tls calls not traced: the in-flight goroutine table refused them */
	ST_CTR_MULTIPLEXERS = 18,     /* threads seen writing a request while one of theirs was unanswered */
	ST_CTR_INTERRUPT_WAKEUPS = 19,/* in-process wakeups made in interrupt context: no waker, nothing carried */
	ST_CTR_GO_TLS_UNNUMBERED = 20,   /* Go Reads whose record Go's state did not show: marked sequence-unknown */
	ST_CTR_MAX = 21,
};

/* st_config.filter_flags: the pid (cgroup) filter map has entries; without, the hot path skips it */
#define ST_FILTER_PID_LISTED 0x8
#define ST_FILTER_CGROUP_LISTED 0x10

/* config map, single entry, written by user space before the programs see traffic. */
#define ST_FILTER_PID_ALLOW_ACTIVE 0x1
#define ST_FILTER_CGROUP_ALLOW_ACTIVE 0x2
#define ST_FILTER_PORT_ALLOW_ACTIVE 0x4
/* st_config.handoff_flags */
#define ST_HANDOFF_ENABLED 0x1
/* values of the pid/cgroup/port filter maps */
#define ST_FILTER_ALLOW 0x1
#define ST_FILTER_DENY 0x2

struct st_config {
	__u32 self_tgid;      /* the agent: never traced (0 = no self exclusion) */
	__u32 payload_cap;    /* payload bytes captured per syscall */
	__u32 filter_flags;   /* ST_FILTER_*_ALLOW_ACTIVE */
	__u32 wakeup_bytes;   /* power of two: wake the reader each time the bytes waiting cross a multiple (0: every event) */
	__u32 handoff_flags;  /* ST_HANDOFF_*: following causes across thread wakeups */
	__u32 reserved;
	__u64 cause_ttl_ns;   /* a thread's cause is forgotten this long after it was last set */
};

/* First 32 bytes of every event. */
struct st_event_header {
	__u32 type;           /* enum st_event_type */
	__u32 tgid;
	__u32 tid;
	__s32 fd;             /* -1 for process events */
	__u64 timestamp_ns;   /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 generation;     /* connection generation (0 for process events) */
};

/* Both ends of a TCP connection; IPv4 addresses in the first 4 bytes. Ports in host order. */
struct st_endpoints {
	__u8 local_addr[ST_ADDR_BYTES];
	__u8 remote_addr[ST_ADDR_BYTES];
	__u16 local_port;
	__u16 remote_port;
	__u16 family;         /* AF_INET or AF_INET6 */
	__u16 reserved;
};

struct st_data_event {
	struct st_event_header hdr;
	struct st_endpoints ends;
	__u64 cgroup_id;
	__u32 tcp_seq;        /* TCP sequence number of the first byte of this event's range */
	__u32 byte_count;     /* stream bytes this event stands for */
	__u32 payload_len;    /* bytes present in payload[] (<= byte_count, <= ST_CHUNK_BYTES) */
	__u16 syscall;        /* enum st_syscall */
	__u8 direction;       /* enum st_direction */
	__u8 role;            /* enum st_role */
	__u32 flags;          /* ST_FLAG_* */
	/* The server request this thread works on behalf of (thread hand-offs, see handoff.bpf.h):
	 * the TCP sequence of that request's first byte and its connection's generation; 0 = none. */
	__u32 cause_seq;
	__u64 cause_generation;
	__u32 tls_library;    /* ST_FLAG_TLS: which attached file supplied the plaintext (user-space id) */
	/* First chunk of a server response written by the thread serving the request: ns since a client
	 * thread last woke it while it served ("Client wakeups" in handoff.bpf.h); 0 = none, or >= 2^32 ns. */
	__u32 client_wakeup_age_ns;
	__u8 payload[];       /* ring-buffer records are header + payload_len bytes exactly */
};

struct st_open_event {
	struct st_event_header hdr;
	struct st_endpoints ends;
	__u64 cgroup_id;
	__u16 syscall;        /* ST_SYS_CONNECT / ACCEPT / ACCEPT4, or the data syscall that joined it */
	__u8 role;
	__u8 reserved;
	__u32 flags;          /* ST_FLAG_JOINED_MID_STREAM */
};

struct st_close_event {
	struct st_event_header hdr;
	__u64 bytes_sent;
	__u64 bytes_received;
};

struct st_established_event {
	struct st_event_header hdr;
	__u64 syn_sent_ns;     /* 0 when unknown */
	__u64 established_ns;  /* 0 when unknown */
	__u64 accepted_ns;     /* 0 for clients */
	__u8 role;
	__u8 reserved[7];
};

struct st_process_event {
	struct st_event_header hdr;  /* tgid = the process; fd = -1 */
	char comm[16];
};

/* A traced process mapped a file with PROT_EXEC: user space looks for TLS libraries in it. */
struct st_library_mapped_event {
	struct st_event_header hdr;  /* fd = the mmap fd */
	__u64 inode;
	__u32 dev;            /* the kernel's dev_t: major << 20 | minor */
	__u32 reserved;
};

#endif /* SPANSCOPE_SOCKET_TRACE_H */
