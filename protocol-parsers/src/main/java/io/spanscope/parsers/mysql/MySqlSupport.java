package io.spanscope.parsers.mysql;

import io.spanscope.parsers.detect.ProtocolSupport;
import io.spanscope.parsers.record.Protocol;

/** The MySQL / MariaDB entry of a {@link io.spanscope.parsers.detect.ProtocolRegistry}. */
public final class MySqlSupport {

    private MySqlSupport() {
    }

    public static ProtocolSupport create() {
        return new ProtocolSupport(Protocol.MYSQL, new MySqlStartDetector(), MySqlHandler::new);
    }
}
