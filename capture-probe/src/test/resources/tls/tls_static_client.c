/*
 * TLS client linked statically with OpenSSL and built with -rdynamic, so SSL_write/SSL_read are
 * exported from the executable itself (like node or BoringSSL-based programs): the capture must
 * attach to the binary, there is no libssl to find. Usage: tls_static_client PORT CA_FILE REQUEST
 * Waits for a line on stdin before connecting (so the test can wait for the probes to attach),
 * sends REQUEST, prints the response as hex until the server closes.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char line[64];
	unsigned char buf[16384];
	struct sockaddr_in addr = { .sin_family = AF_INET };
	SSL_CTX *ctx;
	SSL *ssl;
	int fd, n;

	if (argc != 4)
		return 2;
	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 3;
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx || SSL_CTX_load_verify_locations(ctx, argv[2], NULL) != 1)
		return 4;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	addr.sin_port = htons(atoi(argv[1]));
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0)
		return 5;
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	SSL_set_tlsext_host_name(ssl, "localhost");
	if (SSL_connect(ssl) != 1)
		return 6;
	if (SSL_write(ssl, argv[3], strlen(argv[3])) != (int)strlen(argv[3]))
		return 7;
	while ((n = SSL_read(ssl, buf, sizeof(buf))) > 0)
		for (int i = 0; i < n; i++)
			printf("%02x", buf[i]);
	printf("\n");
	fflush(stdout);
	SSL_shutdown(ssl);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return 0;
}
