package io.spanscope.parsers.postgres;

import io.spanscope.parsers.ParserConfig;
import io.spanscope.parsers.detect.ProtocolSupport;
import io.spanscope.parsers.record.Protocol;

/** The PostgreSQL (protocol 3.x) entry of a {@link io.spanscope.parsers.detect.ProtocolRegistry}. */
public final class PostgresSupport {

    private PostgresSupport() {
    }

    public static ProtocolSupport create() {
        return new ProtocolSupport(Protocol.POSTGRESQL,
                new PgDetector(ParserConfig.defaults().maxPostgresMessageBytes()), PostgresHandler::new);
    }
}
