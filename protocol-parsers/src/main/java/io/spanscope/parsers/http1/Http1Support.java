package io.spanscope.parsers.http1;

import io.spanscope.parsers.detect.HandlerContext;
import io.spanscope.parsers.detect.ProtocolHandler;
import io.spanscope.parsers.detect.ProtocolSupport;
import io.spanscope.parsers.record.Protocol;

/** The HTTP/1.x entry of a {@link io.spanscope.parsers.detect.ProtocolRegistry}. */
public final class Http1Support {

    private Http1Support() {
    }

    public static ProtocolSupport create() {
        return new ProtocolSupport(Protocol.HTTP1, new Http1Detector(), new Factory());
    }

    /** Prepares the header selection once per configuration rather than once per connection. */
    private static final class Factory implements ProtocolSupport.HandlerFactory {
        private HeaderSelection headers;

        @Override
        public ProtocolHandler create(HandlerContext context) {
            HeaderSelection current = headers;
            if (current == null || current.config != context.config()) {
                current = HeaderSelection.of(context.config());
                headers = current;
            }
            return new Http1Handler(context, current);
        }
    }
}
