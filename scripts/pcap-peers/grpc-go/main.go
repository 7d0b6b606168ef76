// Command grpc-go is the gRPC peer of scripts/pcaps/http2.sh: "server ADDR" serves spanscope.test.Echo,
// "client ADDR" runs a fixed script of calls (unary, each streaming kind, an error status) and prints one
// line per call: method, grpc status code, messages sent, messages received. Messages are
// google.protobuf.StringValue, so no generated code is needed; the service is described by hand.
// "tls-server ADDR CERT" and "tls-client ADDR CERT" do the same over TLS (Go crypto/tls): the server
// makes a self-signed certificate for 127.0.0.1 at start and writes it to CERT, the client trusts it.
// "https ADDR CERT" is net/http over Go crypto/tls (h2c's handler), certificate made the same way.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/h2c"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	_ "google.golang.org/grpc/encoding/gzip" // the server accepts (and answers) gzip-compressed messages
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

const service = "spanscope.test.Echo"

type echoServer struct{}

func unary(_ any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
	in := new(wrapperspb.StringValue)
	if err := dec(in); err != nil {
		return nil, err
	}
	if strings.HasPrefix(in.Value, "fail") {
		return nil, status.Error(codes.NotFound, "no such item: "+in.Value)
	}
	return wrapperspb.String("echo " + in.Value), nil
}

func failing(_ any, ctx context.Context, dec func(any) error, _ grpc.UnaryServerInterceptor) (any, error) {
	in := new(wrapperspb.StringValue)
	if err := dec(in); err != nil {
		return nil, err
	}
	return nil, status.Error(codes.PermissionDenied, "denied")
}

// serverStream sends N replies, N given by the request value.
func serverStream(_ any, stream grpc.ServerStream) error {
	in := new(wrapperspb.StringValue)
	if err := stream.RecvMsg(in); err != nil {
		return err
	}
	n, _ := strconv.Atoi(in.Value)
	for i := 0; i < n; i++ {
		if err := stream.SendMsg(wrapperspb.String(fmt.Sprintf("item %d", i))); err != nil {
			return err
		}
	}
	return nil
}

func clientStream(_ any, stream grpc.ServerStream) error {
	count := 0
	for {
		in := new(wrapperspb.StringValue)
		err := stream.RecvMsg(in)
		if err == io.EOF {
			return stream.SendMsg(wrapperspb.String(fmt.Sprintf("got %d", count)))
		}
		if err != nil {
			return err
		}
		count++
	}
}

func bidi(_ any, stream grpc.ServerStream) error {
	for {
		in := new(wrapperspb.StringValue)
		err := stream.RecvMsg(in)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := stream.SendMsg(wrapperspb.String("re " + in.Value)); err != nil {
			return err
		}
	}
}

var desc = grpc.ServiceDesc{
	ServiceName: service,
	HandlerType: (*any)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "Say", Handler: unary},
		{MethodName: "Fail", Handler: failing},
	},
	Streams: []grpc.StreamDesc{
		{StreamName: "List", Handler: serverStream, ServerStreams: true},
		{StreamName: "Collect", Handler: clientStream, ClientStreams: true},
		{StreamName: "Chat", Handler: bidi, ServerStreams: true, ClientStreams: true},
	},
}

func serve(addr string, opts ...grpc.ServerOption) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		panic(err)
	}
	s := grpc.NewServer(opts...)
	s.RegisterService(&desc, echoServer{})
	_ = s.Serve(lis)
}

// report prints: path, grpc status code, messages sent, messages received, request and response DATA
// bytes (each message plus its 5-byte length prefix).
func report(method string, err error, sent, received, sentBytes, receivedBytes int) {
	fmt.Printf("%s\t%d\t%d\t%d\t%d\t%d\n", method, status.Code(err), sent, received, sentBytes, receivedBytes)
}

func wire(m *wrapperspb.StringValue) int {
	return 5 + proto.Size(m)
}

func callUnary(ctx context.Context, conn *grpc.ClientConn, method, value string) {
	in := wrapperspb.String(value)
	out := new(wrapperspb.StringValue)
	err := conn.Invoke(ctx, "/"+service+"/"+method, in, out)
	received, receivedBytes := 0, 0
	if err == nil {
		received, receivedBytes = 1, wire(out)
	}
	report("/"+service+"/"+method, err, 1, received, wire(in), receivedBytes)
}

func callStream(ctx context.Context, conn *grpc.ClientConn, name string, server, client bool, sends []string) {
	sd := &grpc.StreamDesc{StreamName: name, ServerStreams: server, ClientStreams: client}
	stream, err := conn.NewStream(ctx, sd, "/"+service+"/"+name)
	if err != nil {
		report("/"+service+"/"+name, err, 0, 0, 0, 0)
		return
	}
	sentBytes, receivedBytes := 0, 0
	for _, v := range sends {
		m := wrapperspb.String(v)
		if err := stream.SendMsg(m); err != nil {
			break
		}
		sentBytes += wire(m)
	}
	_ = stream.CloseSend()
	received := 0
	for {
		in := new(wrapperspb.StringValue)
		err = stream.RecvMsg(in)
		if err != nil {
			break
		}
		received++
		receivedBytes += wire(in)
	}
	if err == io.EOF {
		err = nil
	}
	report("/"+service+"/"+name, err, len(sends), received, sentBytes, receivedBytes)
}

// client runs the script; "repeat N" runs N unary calls only (benchmark and live test traffic).
func client(addr string, creds credentials.TransportCredentials, args []string) {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if len(args) == 2 && args[0] == "unary" {
		n, _ := strconv.Atoi(args[1])
		for i := 0; i < n; i++ {
			callUnary(ctx, conn, "Say", fmt.Sprintf("hello %d", i))
		}
		return
	}
	callUnary(ctx, conn, "Say", "hello")
	callUnary(ctx, conn, "Say", "fail-42")
	callUnary(ctx, conn, "Fail", "x")
	callStream(ctx, conn, "List", true, false, []string{"5"})
	callStream(ctx, conn, "Collect", false, true, []string{"a", "b", "c", "d"})
	callStream(ctx, conn, "Chat", true, true, []string{"1", "2", "3"})
	callUnary(ctx, conn, "Say", "bye")
}

// textHandler answers every path with a small text body naming the protocol; /missing is a 404.
func textHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "hello over %s\n", r.Proto)
	})
}

// serveHTTPS is net/http over Go crypto/tls (HTTP/1.1 and h2 by ALPN) with a fresh self-signed
// certificate written to certFile; it answers every path like serveH2c.
func serveHTTPS(addr, certFile string) {
	server := &http.Server{Addr: addr, Handler: textHandler(), TLSConfig: &tls.Config{Certificates: []tls.Certificate{selfSignedCertificate(certFile)}}}
	_ = server.ListenAndServeTLS("", "")
}

// serveH2c is a cleartext HTTP/2 server that accepts the HTTP/1.1 Upgrade to h2c (and prior knowledge);
// it answers every path with a small text body.
func serveH2c(addr string) {
	server := &http.Server{Addr: addr, Handler: h2c.NewHandler(textHandler(), &http2.Server{})}
	_ = server.ListenAndServe()
}

// selfSigned makes a fresh key and certificate for 127.0.0.1, writes the certificate (PEM) to certFile
// for the client to trust, and returns the server's TLS credentials.
func selfSigned(certFile string) credentials.TransportCredentials {
	cert := selfSignedCertificate(certFile)
	return credentials.NewServerTLSFromCert(&cert)
}

// selfSignedCertificate makes the key and certificate and writes the certificate (PEM) to certFile.
func selfSignedCertificate(certFile string) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	// written whole under another name, then renamed: the client never reads half a file
	if err := os.WriteFile(certFile+".tmp", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		panic(err)
	}
	if err := os.Rename(certFile+".tmp", certFile); err != nil {
		panic(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// trusting returns client TLS credentials that trust only the certificate in certFile.
func trusting(certFile string) credentials.TransportCredentials {
	creds, err := credentials.NewClientTLSFromFile(certFile, "127.0.0.1")
	if err != nil {
		panic(err)
	}
	return creds
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: grpc-go server ADDR | client ADDR [unary N] | h2c ADDR"+
			" | tls-server ADDR CERT | tls-client ADDR CERT [unary N] | https ADDR CERT")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "server":
		serve(os.Args[2])
	case "client":
		client(os.Args[2], insecure.NewCredentials(), os.Args[3:])
	case "tls-server":
		serve(os.Args[2], grpc.Creds(selfSigned(os.Args[3])))
	case "tls-client":
		client(os.Args[2], trusting(os.Args[3]), os.Args[4:])
	case "https":
		serveHTTPS(os.Args[2], os.Args[3])
	case "h2c":
		serveH2c(os.Args[2])
	}
}
