package io.spanscope.parsers.testing;

import io.spanscope.parsers.record.Record;
import io.spanscope.parsers.record.RecordSink;

import java.util.ArrayList;
import java.util.List;

public final class CollectingSink implements RecordSink {

    private final List<Record> records = new ArrayList<>();

    @Override
    public void onRecord(Record record) {
        records.add(record);
    }

    public List<Record> records() {
        return records;
    }

    public Record only() {
        if (records.size() != 1) {
            throw new AssertionError("expected exactly one record, got " + records.size() + ": " + records);
        }
        return records.get(0);
    }
}
