"""gRPC peer of scripts/pcaps/http2.sh: python grpcio (gRPC core's HTTP/2 and HPACK) calling the grpc-go
server in pcap-peers/grpc-go. Messages are google.protobuf.StringValue, encoded by hand (field 1, bytes),
so no generated code is needed. Prints one line per call like the Go client: path, grpc status code,
messages sent, messages received, request DATA bytes, response DATA bytes (5-byte prefix per message;
"-" for a compressed call, whose compressed size the client does not see)."""
import sys

import grpc

SERVICE = "/spanscope.test.Echo/"


def encode(text):
    data = text.encode()
    return b"\x0a" + bytes([len(data)]) + data if data else b""


def decode(raw):
    return raw[2:].decode() if raw else ""


def wire(raw):
    return 5 + len(raw)


def report(method, code, sent, received, sent_bytes, received_bytes):
    print(f"{SERVICE}{method}\t{code.value[0]}\t{sent}\t{received}\t{sent_bytes}\t{received_bytes}", flush=True)


def unary(channel, method, text, compression=None):
    call = channel.unary_unary(SERVICE + method, request_serializer=encode, response_deserializer=None)
    request = encode(text)
    # a compressed message's size on the wire is not visible to the client: reported as "-"
    size = (lambda raw: "-") if compression else wire
    try:
        reply = call(text, compression=compression)
        report(method, grpc.StatusCode.OK, 1, 1, size(request), size(reply))
    except grpc.RpcError as e:
        report(method, e.code(), 1, 0, size(request), 0)


def server_stream(channel, count):
    call = channel.unary_stream(SERVICE + "List", request_serializer=encode, response_deserializer=None)
    replies = list(call(str(count)))
    report("List", grpc.StatusCode.OK, 1, len(replies), wire(encode(str(count))), sum(wire(r) for r in replies))


def client_stream(channel, texts):
    call = channel.stream_unary(SERVICE + "Collect", request_serializer=encode, response_deserializer=None)
    reply = call(iter(texts))
    report("Collect", grpc.StatusCode.OK, len(texts), 1, sum(wire(encode(t)) for t in texts), wire(reply))


def bidi(channel, texts):
    call = channel.stream_stream(SERVICE + "Chat", request_serializer=encode, response_deserializer=None)
    replies = list(call(iter(texts)))
    report("Chat", grpc.StatusCode.OK, len(texts), len(replies), sum(wire(encode(t)) for t in texts),
           sum(wire(r) for r in replies))


def main(address):
    with grpc.insecure_channel(address) as channel:
        unary(channel, "Say", "from python")
        unary(channel, "Say", "python gzip", compression=grpc.Compression.Gzip)
        unary(channel, "Say", "fail-7")
        server_stream(channel, 3)
        client_stream(channel, ["x", "y"])
        bidi(channel, ["p", "q"])
        unary(channel, "Fail", "z")


if __name__ == "__main__":
    main(sys.argv[1])
