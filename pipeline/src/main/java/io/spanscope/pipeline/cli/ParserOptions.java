package io.spanscope.pipeline.cli;

import io.spanscope.parsers.ParserConfig;
import picocli.CommandLine.Option;

/** What the protocol parsers keep of what they read; the same flags for capture, replay and run. */
public final class ParserOptions {

    @Option(names = "--mask-sql-literals", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Replace literals in PostgreSQL and MySQL query texts by ? and keep parameter values and "
                    + "value-quoting error messages out of records (default); --no-mask-sql-literals records them as sent.")
    boolean maskSqlLiterals = true;

    ParserConfig parserConfig() {
        return ParserConfig.builder().maskSqlLiterals(maskSqlLiterals).build();
    }
}
