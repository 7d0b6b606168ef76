"""TLS test peer for the capture-probe live tests (Python's ssl module, i.e. OpenSSL's SSL_read_ex/SSL_write_ex).

server PORT CERT KEY RESPONSE_HEX   serve one connection: read one HTTP request head, send RESPONSE, print the request as hex
client PORT CA REQUEST_HEX          send REQUEST, read until the peer closes, print the response as hex
late-client PORT CA REQUEST_HEX     like client, but import ssl (dlopen of libssl) only after a line on stdin,
                                    then print 'imported' and wait for a second line before connecting
"""
import socket
import sys

mode = sys.argv[1]
port = int(sys.argv[2])

if mode == 'server':
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[3], sys.argv[4])
    response = bytes.fromhex(sys.argv[5])
    with socket.create_server(('127.0.0.1', port)) as listener:
        print('listening', flush=True)
        conn, _ = listener.accept()
        with ctx.wrap_socket(conn, server_side=True) as tls:
            request = b''
            while b'\r\n\r\n' not in request:
                chunk = tls.recv(65536)
                if not chunk:
                    break
                request += chunk
            tls.sendall(response)
            print(request.hex(), flush=True)
else:
    if mode == 'late-client':
        sys.stdin.readline()
    import ssl
    if mode == 'late-client':
        print('imported', flush=True)
        sys.stdin.readline()
    ctx = ssl.create_default_context(cafile=sys.argv[3])
    request = bytes.fromhex(sys.argv[4])
    with socket.create_connection(('127.0.0.1', port)) as raw:
        with ctx.wrap_socket(raw, server_hostname='localhost') as tls:
            tls.sendall(request)
            response = b''
            while True:
                chunk = tls.recv(65536)
                if not chunk:
                    break
                response += chunk
            print(response.hex(), flush=True)
