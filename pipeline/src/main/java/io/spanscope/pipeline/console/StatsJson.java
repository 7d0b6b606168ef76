package io.spanscope.pipeline.console;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.util.Collection;

/** Writes a stats record (numbers, and lists of numbers) as one JSON object, field names as declared. */
public final class StatsJson {

    private static final JsonFactory JSON = new JsonFactory();

    private StatsJson() {
    }

    public static String of(Record stats) {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(w)) {
            write(g, stats);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private static void write(JsonGenerator g, Record stats) throws IOException {
        g.writeStartObject();
        for (RecordComponent c : stats.getClass().getRecordComponents()) {
            Object value;
            try {
                value = c.getAccessor().invoke(stats);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("unreadable stats field " + c.getName(), e);
            }
            g.writeFieldName(c.getName());
            writeValue(g, value);
        }
        g.writeEndObject();
    }

    private static void writeValue(JsonGenerator g, Object value) throws IOException {
        if (value instanceof Number n) {
            g.writeNumber(n.longValue());
        } else if (value instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (value instanceof Collection<?> list) {
            g.writeStartArray();
            for (Object o : list) {
                writeValue(g, o);
            }
            g.writeEndArray();
        } else if (value instanceof Record r) {
            write(g, r);
        } else {
            g.writeString(String.valueOf(value));
        }
    }
}
