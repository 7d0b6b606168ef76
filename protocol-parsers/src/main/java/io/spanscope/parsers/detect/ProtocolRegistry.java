package io.spanscope.parsers.detect;

import io.spanscope.parsers.http1.Http1Support;
import io.spanscope.parsers.http2.Http2Support;
import io.spanscope.parsers.mysql.MySqlSupport;
import io.spanscope.parsers.postgres.PostgresSupport;
import io.spanscope.parsers.record.Protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The protocols a tracker recognises, in the order their detectors are asked. Immutable; other protocol
 * parsers replace the detect-only entries with {@code toBuilder().register(...)}.
 */
public final class ProtocolRegistry {

    private final List<ProtocolSupport> supports;

    private ProtocolRegistry(List<ProtocolSupport> supports) {
        this.supports = Collections.unmodifiableList(new ArrayList<>(supports));
    }

    /**
     * HTTP/2 preface first (it would otherwise look like an HTTP/1 request line), then HTTP/1, then
     * PostgreSQL and MySQL.
     */
    public static ProtocolRegistry defaults() {
        return builder()
                .register(Http2Support.create())
                .register(Http1Support.create())
                .register(PostgresSupport.create())
                .register(MySqlSupport.create())
                .build();
    }

    public static Builder builder() {
        return new Builder(List.of());
    }

    public Builder toBuilder() {
        return new Builder(supports);
    }

    /** In detection order. */
    public List<ProtocolSupport> supports() {
        return supports;
    }

    public Optional<ProtocolSupport> find(Protocol protocol) {
        for (ProtocolSupport s : supports) {
            if (s.protocol() == protocol) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    public static final class Builder {
        private final List<ProtocolSupport> supports;

        private Builder(List<ProtocolSupport> initial) {
            this.supports = new ArrayList<>(initial);
        }

        /** Adds a protocol at the end, or replaces the entry of the same protocol in its place. */
        public Builder register(ProtocolSupport support) {
            for (int i = 0; i < supports.size(); i++) {
                if (supports.get(i).protocol() == support.protocol()) {
                    supports.set(i, support);
                    return this;
                }
            }
            supports.add(support);
            return this;
        }

        public ProtocolRegistry build() {
            return new ProtocolRegistry(supports);
        }
    }
}
