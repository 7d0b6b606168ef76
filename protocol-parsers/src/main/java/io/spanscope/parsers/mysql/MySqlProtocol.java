package io.spanscope.parsers.mysql;

/** Numbers of the MySQL client/server protocol this parser uses (commands, capability and status flags). */
final class MySqlProtocol {

    private MySqlProtocol() {
    }

    // commands (first payload byte of a client packet with sequence id 0)
    static final int COM_QUIT = 0x01;
    static final int COM_INIT_DB = 0x02;
    static final int COM_QUERY = 0x03;
    static final int COM_FIELD_LIST = 0x04;
    static final int COM_STATISTICS = 0x09;
    static final int COM_PING = 0x0E;
    static final int COM_CHANGE_USER = 0x11;
    static final int COM_STMT_PREPARE = 0x16;
    static final int COM_STMT_EXECUTE = 0x17;
    static final int COM_STMT_SEND_LONG_DATA = 0x18;
    static final int COM_STMT_CLOSE = 0x19;
    static final int COM_STMT_RESET = 0x1A;
    static final int COM_SET_OPTION = 0x1B;
    static final int COM_STMT_FETCH = 0x1C;
    static final int COM_RESET_CONNECTION = 0x1F;
    /** MariaDB: several executions of one statement in one packet. */
    static final int COM_STMT_BULK_EXECUTE = 0xFA;

    private static final String[] COMMAND_NAMES = new String[256];

    static {
        String[] names = {
            "COM_SLEEP", "COM_QUIT", "COM_INIT_DB", "COM_QUERY", "COM_FIELD_LIST", "COM_CREATE_DB", "COM_DROP_DB",
            "COM_REFRESH", "COM_SHUTDOWN", "COM_STATISTICS", "COM_PROCESS_INFO", "COM_CONNECT", "COM_PROCESS_KILL",
            "COM_DEBUG", "COM_PING", "COM_TIME", "COM_DELAYED_INSERT", "COM_CHANGE_USER", "COM_BINLOG_DUMP",
            "COM_TABLE_DUMP", "COM_CONNECT_OUT", "COM_REGISTER_SLAVE", "COM_STMT_PREPARE", "COM_STMT_EXECUTE",
            "COM_STMT_SEND_LONG_DATA", "COM_STMT_CLOSE", "COM_STMT_RESET", "COM_SET_OPTION", "COM_STMT_FETCH",
            "COM_DAEMON", "COM_BINLOG_DUMP_GTID", "COM_RESET_CONNECTION",
        };
        System.arraycopy(names, 0, COMMAND_NAMES, 0, names.length);
        COMMAND_NAMES[COM_STMT_BULK_EXECUTE] = "COM_STMT_BULK_EXECUTE";
    }

    /** The command's name, or null when the byte is no known command. */
    static String commandName(int command) {
        return command >= 0 && command < 256 ? COMMAND_NAMES[command] : null;
    }

    /** Commands the server does not answer. */
    static boolean hasNoResponse(int command) {
        return command == COM_QUIT || command == COM_STMT_CLOSE || command == COM_STMT_SEND_LONG_DATA;
    }

    // capability flags
    /** CLIENT_LONG_PASSWORD for MySQL; a MariaDB server clears it to announce extended capabilities. */
    static final long CLIENT_MYSQL = 0x1;
    static final long CLIENT_CONNECT_WITH_DB = 0x8;
    static final long CLIENT_COMPRESS = 0x20;
    static final long CLIENT_PROTOCOL_41 = 0x200;
    static final long CLIENT_SSL = 0x800;
    static final long CLIENT_SECURE_CONNECTION = 0x8000;
    static final long CLIENT_PLUGIN_AUTH = 0x8_0000;
    static final long CLIENT_PLUGIN_AUTH_LENENC_CLIENT_DATA = 0x20_0000;
    static final long CLIENT_SESSION_TRACK = 0x80_0000;
    static final long CLIENT_DEPRECATE_EOF = 0x100_0000;
    static final long CLIENT_ZSTD_COMPRESSION = 0x400_0000;
    static final long CLIENT_QUERY_ATTRIBUTES = 0x800_0000;
    /** MariaDB extended capability (upper 32 bits): column count packets carry a "metadata follows" byte. */
    static final long MARIADB_CLIENT_CACHE_METADATA = 1L << 36;

    // server status flags (OK and EOF packets)
    static final int SERVER_MORE_RESULTS_EXISTS = 0x0008;
    static final int SERVER_STATUS_CURSOR_EXISTS = 0x0040;
    static final int SERVER_SESSION_STATE_CHANGED = 0x4000;

    // first payload bytes of server packets
    static final int OK = 0x00;
    static final int LOCAL_INFILE_REQUEST = 0xFB;
    static final int EOF = 0xFE;
    static final int ERR = 0xFF;

    /** An EOF packet (0xFE, warnings, status) in protocol 4.1 is exactly 5 bytes; an OK sent as EOF is at least 7. */
    static final int EOF_PACKET_LENGTH = 5;

    // COM_STMT_EXECUTE flag: MySQL 8 sends the parameter count itself (with query attributes)
    static final int PARAMETER_COUNT_AVAILABLE = 0x08;
}
