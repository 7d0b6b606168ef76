package io.spanscope.capture.ringbuf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves that {@link EventLayout} matches socket_trace.h: compiles a probe program with gcc that
 * includes the header and prints offsetof/sizeof/constant values, and compares each with Java.
 */
class EventLayoutTest {

    private static final Path HEADER_DIR = Path.of("src/main/bpf").toAbsolutePath();

    @Test
    void javaOffsetsEqualTheCompilersOffsetsOfSocketTraceH(@TempDir Path dir) throws Exception {
        Map<String, Integer> expected = javaLayout();
        StringBuilder c = new StringBuilder("""
                #include <stdio.h>
                #include <stddef.h>
                #include <linux/types.h>
                #include "socket_trace.h"
                #define OFF(s, f) printf("%s=%zu\\n", #s "." #f, offsetof(struct s, f));
                #define SIZE(s) printf("%s=%zu\\n", "sizeof " #s, sizeof(struct s));
                #define VAL(v) printf("%s=%ld\\n", #v, (long)(v));
                int main(void) {
                """);
        for (String name : expected.keySet()) {
            if (name.startsWith("sizeof ")) {
                c.append("SIZE(").append(name.substring(7)).append(")\n");
            } else if (name.contains(".")) {
                String[] parts = name.split("\\.", 2);
                c.append("OFF(").append(parts[0]).append(", ").append(parts[1]).append(")\n");
            } else {
                c.append("VAL(").append(name).append(")\n");
            }
        }
        c.append("return 0; }\n");
        Path source = dir.resolve("layout.c");
        Files.writeString(source, c);
        Path binary = dir.resolve("layout");
        run(dir, "gcc", "-Wall", "-I", HEADER_DIR.toString(), "-o", binary.toString(), source.toString());
        Map<String, Integer> actual = new HashMap<>();
        for (String line : run(dir, binary.toString()).split("\n")) {
            String[] kv = line.split("=");
            actual.put(kv[0], Integer.parseInt(kv[1].trim()));
        }
        assertThat(actual).containsExactlyInAnyOrderEntriesOf(expected);
    }

    private static Map<String, Integer> javaLayout() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("ST_EVENT_DATA", EventLayout.TYPE_DATA);
        m.put("ST_EVENT_OPEN", EventLayout.TYPE_OPEN);
        m.put("ST_EVENT_CLOSE", EventLayout.TYPE_CLOSE);
        m.put("ST_EVENT_ESTABLISHED", EventLayout.TYPE_ESTABLISHED);
        m.put("ST_EVENT_PROCESS_EXEC", EventLayout.TYPE_PROCESS_EXEC);
        m.put("ST_EVENT_PROCESS_EXIT", EventLayout.TYPE_PROCESS_EXIT);
        m.put("ST_EVENT_LIBRARY_MAPPED", EventLayout.TYPE_LIBRARY_MAPPED);
        m.put("ST_CHUNK_BYTES", EventLayout.CHUNK_BYTES);
        m.put("ST_MAX_PAYLOAD_CAP", EventLayout.MAX_PAYLOAD_CAP);
        m.put("ST_ADDR_BYTES", EventLayout.ADDRESS_BYTES);
        m.put("st_event_header.type", EventLayout.HEADER_TYPE);
        m.put("st_event_header.tgid", EventLayout.HEADER_TGID);
        m.put("st_event_header.tid", EventLayout.HEADER_TID);
        m.put("st_event_header.fd", EventLayout.HEADER_FD);
        m.put("st_event_header.timestamp_ns", EventLayout.HEADER_TIMESTAMP_NS);
        m.put("st_event_header.generation", EventLayout.HEADER_GENERATION);
        m.put("sizeof st_event_header", EventLayout.HEADER_SIZE);
        m.put("st_endpoints.local_addr", EventLayout.ENDS_LOCAL_ADDR);
        m.put("st_endpoints.remote_addr", EventLayout.ENDS_REMOTE_ADDR);
        m.put("st_endpoints.local_port", EventLayout.ENDS_LOCAL_PORT);
        m.put("st_endpoints.remote_port", EventLayout.ENDS_REMOTE_PORT);
        m.put("st_endpoints.family", EventLayout.ENDS_FAMILY);
        m.put("sizeof st_endpoints", EventLayout.ENDS_SIZE);
        m.put("st_data_event.ends", EventLayout.DATA_ENDS);
        m.put("st_data_event.cgroup_id", EventLayout.DATA_CGROUP_ID);
        m.put("st_data_event.tcp_seq", EventLayout.DATA_TCP_SEQ);
        m.put("st_data_event.byte_count", EventLayout.DATA_BYTE_COUNT);
        m.put("st_data_event.payload_len", EventLayout.DATA_PAYLOAD_LEN);
        m.put("st_data_event.syscall", EventLayout.DATA_SYSCALL);
        m.put("st_data_event.direction", EventLayout.DATA_DIRECTION);
        m.put("st_data_event.role", EventLayout.DATA_ROLE);
        m.put("st_data_event.flags", EventLayout.DATA_FLAGS);
        m.put("st_data_event.cause_seq", EventLayout.DATA_CAUSE_SEQ);
        m.put("st_data_event.cause_generation", EventLayout.DATA_CAUSE_GENERATION);
        m.put("st_data_event.tls_library", EventLayout.DATA_TLS_LIBRARY);
        m.put("st_data_event.client_wakeup_age_ns", EventLayout.DATA_CLIENT_WAKEUP_AGE);
        m.put("st_data_event.payload", EventLayout.DATA_PAYLOAD);
        m.put("sizeof st_data_event", EventLayout.DATA_SIZE);
        m.put("ST_FLAG_TRUNCATED", EventLayout.FLAG_TRUNCATED);
        m.put("ST_FLAG_NO_PAYLOAD", EventLayout.FLAG_NO_PAYLOAD);
        m.put("ST_FLAG_READ_FAULT", EventLayout.FLAG_READ_FAULT);
        m.put("ST_FLAG_TLS", EventLayout.FLAG_TLS);
        m.put("ST_FLAG_COMPLETION", EventLayout.FLAG_COMPLETION);
        m.put("ST_FLAG_SEQUENCE_UNKNOWN", EventLayout.FLAG_SEQUENCE_UNKNOWN);
        m.put("ST_FLAG_JOINED_MID_STREAM", EventLayout.FLAG_JOINED_MID_STREAM);
        m.put("st_open_event.ends", EventLayout.OPEN_ENDS);
        m.put("st_open_event.cgroup_id", EventLayout.OPEN_CGROUP_ID);
        m.put("st_open_event.syscall", EventLayout.OPEN_SYSCALL);
        m.put("st_open_event.role", EventLayout.OPEN_ROLE);
        m.put("st_open_event.flags", EventLayout.OPEN_FLAGS);
        m.put("sizeof st_open_event", EventLayout.OPEN_SIZE);
        m.put("st_close_event.bytes_sent", EventLayout.CLOSE_BYTES_SENT);
        m.put("st_close_event.bytes_received", EventLayout.CLOSE_BYTES_RECEIVED);
        m.put("sizeof st_close_event", EventLayout.CLOSE_SIZE);
        m.put("st_established_event.syn_sent_ns", EventLayout.ESTABLISHED_SYN_SENT_NS);
        m.put("st_established_event.established_ns", EventLayout.ESTABLISHED_ESTABLISHED_NS);
        m.put("st_established_event.accepted_ns", EventLayout.ESTABLISHED_ACCEPTED_NS);
        m.put("st_established_event.role", EventLayout.ESTABLISHED_ROLE);
        m.put("sizeof st_established_event", EventLayout.ESTABLISHED_SIZE);
        m.put("st_process_event.comm", EventLayout.PROCESS_COMM);
        m.put("sizeof st_process_event", EventLayout.PROCESS_SIZE);
        m.put("st_library_mapped_event.inode", EventLayout.LIBRARY_MAPPED_INODE);
        m.put("st_library_mapped_event.dev", EventLayout.LIBRARY_MAPPED_DEV);
        m.put("sizeof st_library_mapped_event", EventLayout.LIBRARY_MAPPED_SIZE);
        m.put("st_config.self_tgid", EventLayout.CONFIG_SELF_TGID);
        m.put("st_config.payload_cap", EventLayout.CONFIG_PAYLOAD_CAP);
        m.put("st_config.filter_flags", EventLayout.CONFIG_FILTER_FLAGS);
        m.put("st_config.wakeup_bytes", EventLayout.CONFIG_WAKEUP_BYTES);
        m.put("st_config.handoff_flags", EventLayout.CONFIG_HANDOFF_FLAGS);
        m.put("st_config.cause_ttl_ns", EventLayout.CONFIG_CAUSE_TTL_NS);
        m.put("sizeof st_config", EventLayout.CONFIG_SIZE);
        m.put("ST_HANDOFF_ENABLED", EventLayout.HANDOFF_ENABLED);
        m.put("ST_FILTER_PID_ALLOW_ACTIVE", EventLayout.FILTER_PID_ALLOW_ACTIVE);
        m.put("ST_FILTER_CGROUP_ALLOW_ACTIVE", EventLayout.FILTER_CGROUP_ALLOW_ACTIVE);
        m.put("ST_FILTER_PORT_ALLOW_ACTIVE", EventLayout.FILTER_PORT_ALLOW_ACTIVE);
        m.put("ST_FILTER_PID_LISTED", EventLayout.FILTER_PID_LISTED);
        m.put("ST_FILTER_CGROUP_LISTED", EventLayout.FILTER_CGROUP_LISTED);
        m.put("ST_FILTER_ALLOW", EventLayout.FILTER_ALLOW);
        m.put("ST_FILTER_DENY", EventLayout.FILTER_DENY);
        m.put("ST_CTR_RINGBUF_DROPS", EventLayout.COUNTER_RINGBUF_DROPS);
        m.put("ST_CTR_RINGBUF_DROP_BYTES", EventLayout.COUNTER_RINGBUF_DROP_BYTES);
        m.put("ST_CTR_TRUNCATED_BYTES", EventLayout.COUNTER_TRUNCATED_BYTES);
        m.put("ST_CTR_UNIX_BYTES", EventLayout.COUNTER_UNIX_BYTES);
        m.put("ST_CTR_READ_FAULTS", EventLayout.COUNTER_READ_FAULTS);
        m.put("ST_CTR_ACTIVE_DROPS", EventLayout.COUNTER_ACTIVE_DROPS);
        m.put("ST_CTR_MMSG_CALLS", EventLayout.COUNTER_MMSG_CALLS);
        m.put("ST_CTR_SENDFILE_BYTES", EventLayout.COUNTER_SENDFILE_BYTES);
        m.put("ST_CTR_CAUSE_WAKEUPS", EventLayout.COUNTER_CAUSE_WAKEUPS);
        m.put("ST_CTR_CAUSE_CONFLICTS", EventLayout.COUNTER_CAUSE_CONFLICTS);
        m.put("ST_CTR_CAUSE_TABLE_FULL", EventLayout.COUNTER_CAUSE_TABLE_FULL);
        m.put("ST_CTR_TLS_CIPHERTEXT_BYTES", EventLayout.COUNTER_TLS_CIPHERTEXT_BYTES);
        m.put("ST_CTR_TLS_UNASSOCIATED", EventLayout.COUNTER_TLS_UNASSOCIATED);
        m.put("ST_CTR_TLS_NESTING_DROPS", EventLayout.COUNTER_TLS_NESTING_DROPS);
        m.put("ST_CTR_COMPLETIONS_DELIVERED", EventLayout.COUNTER_COMPLETIONS_DELIVERED);
        m.put("ST_CTR_COMPLETION_CONFLICTS", EventLayout.COUNTER_COMPLETION_CONFLICTS);
        m.put("ST_CTR_GO_TLS_UNASSOCIATED", EventLayout.COUNTER_GO_TLS_UNASSOCIATED);
        m.put("ST_CTR_GO_TLS_TABLE_DROPS", EventLayout.COUNTER_GO_TLS_TABLE_DROPS);
        m.put("ST_CTR_MULTIPLEXERS", EventLayout.COUNTER_MULTIPLEXERS);
        m.put("ST_CTR_INTERRUPT_WAKEUPS", EventLayout.COUNTER_INTERRUPT_WAKEUPS);
        m.put("ST_CTR_GO_TLS_UNNUMBERED", EventLayout.COUNTER_GO_TLS_UNNUMBERED);
        m.put("ST_CTR_MAX", EventLayout.COUNTER_COUNT);
        m.put("ST_ROLE_UNKNOWN", io.spanscope.capture.event.Role.UNKNOWN.ordinal());
        m.put("ST_ROLE_CLIENT", io.spanscope.capture.event.Role.CLIENT.ordinal());
        m.put("ST_ROLE_SERVER", io.spanscope.capture.event.Role.SERVER.ordinal());
        return m;
    }

    private static String run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s failed: %s", String.join(" ", command), out).isZero();
        return out;
    }
}
