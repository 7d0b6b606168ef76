package io.spanscope.pipeline.wire;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;

/** What the field-by-number readers of this package share. */
final class WireFields {

    private WireFields() {
    }

    /**
     * Skips a field this reader does not know (a newer schema's, or a known number with another wire type,
     * which the generated parser also keeps as unknown). An end-group tag outside a group is invalid, as
     * the generated parser finds when it checks the last tag.
     */
    static void skip(CodedInputStream in, int tag) throws IOException {
        if (!in.skipField(tag)) {
            throw new InvalidProtocolBufferException("Protocol message end-group tag did not match expected tag.");
        }
    }
}
