package io.spanscope.parsers.http2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.spanscope.parsers.detect.Http2PrefaceDetector;

import java.io.ByteArrayOutputStream;

/**
 * Writes one direction of an HTTP/2 connection with Netty's own frame writer and HPACK encoder (whose
 * dynamic table persists across blocks, as a real peer's does), for tests of what real captures rarely
 * contain: push, resets, GOAWAY, CONTINUATION, padding, long streams.
 */
final class H2Frames {

    private final EmbeddedChannel channel = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    private final ChannelHandlerContext ctx = channel.pipeline().firstContext();
    private final DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();

    static H2Frames client() {
        H2Frames frames = new H2Frames();
        frames.raw(Http2PrefaceDetector.PREFACE);
        return frames.settings();
    }

    static H2Frames server() {
        return new H2Frames().settings();
    }

    static Http2Headers request(String method, String path) {
        return new DefaultHttp2Headers().method(method).path(path).scheme("http").authority("svc.local:8080");
    }

    static Http2Headers grpcRequest(String path) {
        return request("POST", path).add("content-type", "application/grpc").add("te", "trailers");
    }

    static Http2Headers status(int code) {
        return new DefaultHttp2Headers().status(Integer.toString(code));
    }

    H2Frames settings() {
        writer.writeSettings(ctx, new Http2Settings(), ctx.newPromise());
        return this;
    }

    H2Frames headers(int streamId, Http2Headers headers, boolean endStream) {
        return headers(streamId, headers, 0, endStream);
    }

    H2Frames headers(int streamId, Http2Headers headers, int padding, boolean endStream) {
        writer.writeHeaders(ctx, streamId, headers, padding, endStream, ctx.newPromise());
        return this;
    }

    H2Frames data(int streamId, byte[] payload, int padding, boolean endStream) {
        writer.writeData(ctx, streamId, Unpooled.wrappedBuffer(payload), padding, endStream, ctx.newPromise());
        return this;
    }

    /** One gRPC message (prefix + payload) in one DATA frame. */
    H2Frames grpcMessage(int streamId, int payloadBytes, boolean endStream) {
        byte[] message = new byte[5 + payloadBytes];
        message[1] = (byte) (payloadBytes >>> 24);
        message[2] = (byte) (payloadBytes >>> 16);
        message[3] = (byte) (payloadBytes >>> 8);
        message[4] = (byte) payloadBytes;
        return data(streamId, message, 0, endStream);
    }

    H2Frames pushPromise(int streamId, int promisedStreamId, Http2Headers headers) {
        writer.writePushPromise(ctx, streamId, promisedStreamId, headers, 0, ctx.newPromise());
        return this;
    }

    H2Frames rst(int streamId, Http2Error error) {
        writer.writeRstStream(ctx, streamId, error.code(), ctx.newPromise());
        return this;
    }

    H2Frames goAway(int lastStreamId, Http2Error error) {
        writer.writeGoAway(ctx, lastStreamId, error.code(), Unpooled.EMPTY_BUFFER, ctx.newPromise());
        return this;
    }

    H2Frames windowUpdate(int streamId, int increment) {
        writer.writeWindowUpdate(ctx, streamId, increment, ctx.newPromise());
        return this;
    }

    H2Frames raw(byte[] bytes) {
        channel.writeOutbound(Unpooled.wrappedBuffer(bytes));
        return this;
    }

    /** Everything written since the last call, in order. */
    byte[] take() {
        channel.flushOutbound();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object o = channel.readOutbound(); o != null; o = channel.readOutbound()) {
            ByteBuf buf = (ByteBuf) o;
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            buf.release();
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }
}
