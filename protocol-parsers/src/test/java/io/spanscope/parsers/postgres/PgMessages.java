package io.spanscope.parsers.postgres;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds PostgreSQL protocol 3.0 messages byte for byte, for scripted conversations. */
final class PgMessages {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static PgMessages of() {
        return new PgMessages();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    PgMessages startup(String user, String database, String applicationName) {
        Body b = new Body().int32(3 << 16).cstring("user").cstring(user).cstring("database").cstring(database);
        if (applicationName != null) {
            b.cstring("application_name").cstring(applicationName);
        }
        b.int8(0);
        return untyped(b);
    }

    /** A StartupMessage of protocol 3.2 (PostgreSQL 18 clients may ask for it). */
    PgMessages startup32(String user, String database) {
        return untyped(new Body().int32((3 << 16) | 2).cstring("user").cstring(user).cstring("database")
                .cstring(database).int8(0));
    }

    PgMessages negotiateProtocolVersion(int minor) {
        return typed('v', new Body().int32((3 << 16) | minor).int32(0));
    }

    PgMessages functionCall(int oid) {
        return typed('F', new Body().int32(oid).int16(0).int16(0).int16(0));
    }

    PgMessages functionCallResponse() {
        return typed('V', new Body().int32(1).raw(new byte[] {'1'}));
    }

    PgMessages sslRequest() {
        return untyped(new Body().int32(80877103));
    }

    PgMessages password(String secret) {
        return typed('p', new Body().cstring(secret));
    }

    PgMessages query(String sql) {
        return typed('Q', new Body().cstring(sql));
    }

    PgMessages parse(String name, String sql) {
        return typed('P', new Body().cstring(name).cstring(sql).int16(0));
    }

    /** Bind with all parameters in text format. */
    PgMessages bind(String portal, String statement, String... values) {
        Body b = new Body().cstring(portal).cstring(statement).int16(0).int16(values.length);
        for (String v : values) {
            byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
            b.int32(bytes.length).raw(bytes);
        }
        return typed('B', b.int16(0));
    }

    PgMessages describePortal(String portal) {
        return typed('D', new Body().int8('P').cstring(portal));
    }

    PgMessages describeStatement(String statement) {
        return typed('D', new Body().int8('S').cstring(statement));
    }

    PgMessages execute(String portal, int maxRows) {
        return typed('E', new Body().cstring(portal).int32(maxRows));
    }

    PgMessages sync() {
        return typed('S', new Body());
    }

    PgMessages authOk() {
        return typed('R', new Body().int32(0));
    }

    PgMessages parameterStatus(String name, String value) {
        return typed('S', new Body().cstring(name).cstring(value));
    }

    PgMessages parseComplete() {
        return typed('1', new Body());
    }

    PgMessages bindComplete() {
        return typed('2', new Body());
    }

    PgMessages parameterDescription(int count) {
        Body b = new Body().int16(count);
        for (int i = 0; i < count; i++) {
            b.int32(23);
        }
        return typed('t', b);
    }

    PgMessages rowDescription(String... columns) {
        Body b = new Body().int16(columns.length);
        for (String c : columns) {
            b.cstring(c).int32(0).int16(0).int32(25).int16(-1).int32(-1).int16(0);
        }
        return typed('T', b);
    }

    PgMessages noData() {
        return typed('n', new Body());
    }

    PgMessages dataRow(String... values) {
        Body b = new Body().int16(values.length);
        for (String v : values) {
            byte[] bytes = v.getBytes(StandardCharsets.UTF_8);
            b.int32(bytes.length).raw(bytes);
        }
        return typed('D', b);
    }

    PgMessages commandComplete(String tag) {
        return typed('C', new Body().cstring(tag));
    }

    PgMessages emptyQuery() {
        return typed('I', new Body());
    }

    PgMessages portalSuspended() {
        return typed('s', new Body());
    }

    PgMessages error(String sqlState, String message) {
        return typed('E', new Body().int8('S').cstring("ERROR").int8('V').cstring("ERROR").int8('C').cstring(sqlState)
                .int8('M').cstring(message).int8('D').cstring("Key (id)=(42) secret detail").int8(0));
    }

    PgMessages notice(String message) {
        return typed('N', new Body().int8('S').cstring("NOTICE").int8('C').cstring("00000").int8('M').cstring(message).int8(0));
    }

    PgMessages ready(char status) {
        return typed('Z', new Body().int8(status));
    }

    PgMessages raw(byte... bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** A message with a declared length but only {@code body} bytes present (the rest follows elsewhere). */
    PgMessages header(char type, int bodyLength) {
        out.write(type);
        new Body().int32(bodyLength + 4).writeTo(out);
        return this;
    }

    private PgMessages typed(char type, Body body) {
        out.write(type);
        byte[] b = body.bytes();
        new Body().int32(b.length + 4).writeTo(out);
        out.writeBytes(b);
        return this;
    }

    private PgMessages untyped(Body body) {
        byte[] b = body.bytes();
        new Body().int32(b.length + 4).writeTo(out);
        out.writeBytes(b);
        return this;
    }

    static final class Body {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        Body int8(int v) {
            b.write(v);
            return this;
        }

        Body int16(int v) {
            b.write(v >>> 8);
            b.write(v);
            return this;
        }

        Body int32(int v) {
            b.write(v >>> 24);
            b.write(v >>> 16);
            b.write(v >>> 8);
            b.write(v);
            return this;
        }

        Body cstring(String s) {
            b.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            b.write(0);
            return this;
        }

        Body raw(byte[] bytes) {
            b.writeBytes(bytes);
            return this;
        }

        byte[] bytes() {
            return b.toByteArray();
        }

        void writeTo(ByteArrayOutputStream out) {
            out.writeBytes(b.toByteArray());
        }
    }
}
