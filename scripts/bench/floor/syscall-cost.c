// SPDX-License-Identifier: GPL-2.0
/*
 * CPU cost of the syscalls wrk and nginx make per request, measured in this thread's own CPU time
 * (CLOCK_THREAD_CPUTIME_ID), so other processes competing for the CPU do not count: a 32-byte write
 * and a 32-byte read over a TCP loopback connection (the hooked data syscalls), and getppid (a syscall
 * no one hooks, which still takes the tracing slow path once any syscall tracepoint is enabled).
 * Prints "write+read NS getppid NS" (nanoseconds per call pair / per call, best of 5 batches).
 * With a PORT, the server side listens on it (so a capture filtered on that port traces the pair).
 * Usage: syscall-cost [iterations per batch] [port]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* a connected TCP pair on 127.0.0.1, the server on `port` (0: any) */
static void tcp_pair(int port, int *client, int *server)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				    .sin_port = htons(port) };
	socklen_t len = sizeof(addr);
	int one = 1;
	int listener = socket(AF_INET, SOCK_STREAM, 0);

	if (listener >= 0)
		setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof(addr)) || listen(listener, 1) ||
	    getsockname(listener, (struct sockaddr *)&addr, &len))
		die("listen");
	*client = socket(AF_INET, SOCK_STREAM, 0);
	if (*client < 0 || connect(*client, (struct sockaddr *)&addr, sizeof(addr)))
		die("connect");
	*server = accept(listener, NULL, NULL);
	if (*server < 0)
		die("accept");
	setsockopt(*client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	close(listener);
}

int main(int argc, char **argv)
{
	long iterations = argc > 1 ? atol(argv[1]) : 200000;
	int port = argc > 2 ? atoi(argv[2]) : 0;
	char buf[32] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	double best_pair = 1e18, best_plain = 1e18;
	int client, server;

	tcp_pair(port, &client, &server);
	for (int batch = 0; batch < 5; batch++) {
		double start = thread_ns();

		for (long i = 0; i < iterations; i++) {
			if (write(client, buf, sizeof(buf)) != sizeof(buf) || read(server, buf, sizeof(buf)) != sizeof(buf))
				die("write/read");
		}
		double pair = (thread_ns() - start) / iterations;

		start = thread_ns();
		for (long i = 0; i < iterations; i++)
			getppid();
		double plain = (thread_ns() - start) / iterations;
		if (pair < best_pair)
			best_pair = pair;
		if (plain < best_plain)
			best_plain = plain;
	}
	printf("write+read %.0f getppid %.0f\n", best_pair, best_plain);
	return 0;
}
