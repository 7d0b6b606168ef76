package io.spanscope.parsers.record;

/** Receives every exchange a parser completes, on the parser's worker thread. */
@FunctionalInterface
public interface RecordSink {

    void onRecord(Record record);
}
