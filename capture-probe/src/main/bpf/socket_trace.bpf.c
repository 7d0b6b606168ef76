// SPDX-License-Identifier: GPL-2.0
/*
 * spanscope socket tracer: syscall tracepoints on TCP sockets -> BPF ring buffer.
 *
 * Flow per data syscall: sys_enter_* resolves fd -> sock, applies the filters and records the user
 * buffer and the TCP sequence number of the next byte in the thread's "active" task storage;
 * sys_exit_* knows how many bytes moved and copies them in chunks into ring-buffer events.
 * Connection identity is (tgid, fd, generation); "conns" tracks role, byte counts and endpoints per
 * connection, and doubles as the hot path's cache: a data syscall on a known connection skips the
 * socket checks, the endpoint reads and the port filter.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "socket_trace.h"
#include "socket_lookup.bpf.h"
#include "socket_common.bpf.h"
#include "tls_deliver.bpf.h"
#include "go_tls.bpf.h"
#include "handoff.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/*
 * A read-ahead library (nginx turns it on) reads many records at once and hands their plaintext out
 * over several calls, the later ones with no syscall. When the read starts with a record header, the
 * starts of the first records in it are kept, so each call's plaintext can be given its own record.
 */
static __always_inline void find_records(struct st_ssl_call *call, __u64 buf, __u32 seq, __u32 total)
{
	__u32 offset = 0;
	__u8 header[ST_TLS_RECORD_HEADER_BYTES];

	call->read_record_count = 0;
	for (int i = 0; i < ST_SSL_RECORDS_KEPT; i++) {
		if (offset + ST_TLS_RECORD_HEADER_BYTES > total)
			break;
		if (bpf_probe_read_user(header, sizeof(header), (void *)(buf + offset)))
			break;
		/* content type 20..24, legacy version 3.x: anything else is not a record start */
		if (header[0] < 20 || header[0] > 24 || header[1] != 3)
			break;
		call->read_records[i] = seq + offset;
		call->read_record_count = i + 1;
		offset += ST_TLS_RECORD_HEADER_BYTES + ((__u32)header[3] << 8 | header[4]);
	}
	if (call->read_record_count)
		call->read_seq_source = ST_SSL_SEQ_READ_AHEAD;
}

/*
 * Called for every data syscall on a traced connection. Inside a TLS library call on this thread, the
 * syscall tells that call its connection and the TCP sequence number of the record that carries the
 * plaintext, and marks the connection TLS. From then on the connection's bytes are ciphertext whose
 * plaintext the uprobes deliver: they are counted, not forwarded. Ciphertext before the first SSL
 * call (the handshake) is still forwarded; parsers pass over it.
 */
static __always_inline bool tls_ciphertext(__u64 pid_tgid, struct st_conn *conn, const struct st_active *a,
					   bool egress, __u32 total)
{
	struct st_ssl_call *call = bpf_map_lookup_elem(&ssl_calls, &pid_tgid);

	if (!call)
		call = go_tls_call_of_syscall(pid_tgid);
	if (call) {
		conn->tls = 1;
		call->fd = a->fd;
		if (call->direction == ST_DIR_EGRESS && egress) {
			/* one write per record; the return picks the plaintext's first record among them */
			__u32 index = call->writes;

			if (index < ST_SSL_WRITES_KEPT)
				call->write_seq[index] = a->seq;
			if (call->writes < 255)
				call->writes++;
		} else if (call->direction == ST_DIR_INGRESS && !egress) {
			/* the last record header read is that of the record the plaintext comes from (records
			 * before it in the same call, such as TLS 1.3 session tickets, carry no plaintext) */
			if (total == ST_TLS_RECORD_HEADER_BYTES) {
				call->read_seq = a->seq;
				call->read_seq_source = ST_SSL_SEQ_RECORD_HEADER;
			} else if (call->read_seq_source == ST_SSL_SEQ_NONE) {
				call->read_seq = a->seq;
				call->read_seq_source = ST_SSL_SEQ_FIRST_SYSCALL;
				if (a->arg_kind == ST_ARG_BUF)
					find_records(call, a->buf, a->seq, total);
			}
		}
		go_tls_nested_syscall(pid_tgid, call, a, egress, total);
	}
	if (!conn->tls)
		return false;
	count_add(ST_CTR_TLS_CIPHERTEXT_BYTES, total);
	return true;
}

static __always_inline int data_enter(__s32 fd, __u64 buf, __u32 count, __u16 syscall, __u8 arg_kind)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct st_active a = {
		.buf = buf,
		.count = count,
		.fd = fd,
		.syscall = syscall,
		.arg_kind = arg_kind,
	};
	struct st_endpoints ends = {};
	struct sock *sk;

	if (!process_traced(pid_tgid >> 32))
		return 0;
	sk = sock_from_fd(fd);
	if (!sk)
		return 0;
	if (known_conn(conn_key(pid_tgid >> 32, fd), sk)) {
		/* registered only after the socket and port checks passed: they need not run again */
		a.sock_kind = ST_SOCK_TCP;
		a.known_conn = 1;
	} else {
		a.sock_kind = sock_kind(sk);
		if (a.sock_kind == ST_SOCK_NONE)
			return 0;
		if (a.sock_kind == ST_SOCK_TCP) {
			read_endpoints(sk, &ends);
			if (!ports_traced(&ends))
				return 0;
		}
	}
	if (a.sock_kind == ST_SOCK_TCP)
		a.seq = tcp_next_seq(sk, is_egress(syscall));
	a.sk = (__u64)sk;
	active_put(&a);
	return 0;
}

/* Stream bytes moved by sendmmsg/recvmmsg: the msg_len of the first `sent` entries. */
struct mmsg_sum_state {
	__u64 vec;
	__u32 left;
	__u32 bytes;
};

static long mmsg_sum_step(__u32 index, struct mmsg_sum_state *s)
{
	__u32 len = 0;

	if (s->left == 0)
		return 1;
	if (bpf_probe_read_user(&len, sizeof(len),
				(void *)(s->vec + index * sizeof(struct mmsghdr) + offsetof(struct mmsghdr, msg_len))))
		return 1;
	s->bytes += len;
	s->left--;
	return 0;
}

static __always_inline int data_exit(long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct st_endpoints ends = {};
	struct st_data_event *ev;
	struct st_conn *conn = NULL;
	struct st_active a;
	__u32 total;
	bool egress;

	if (!active_take(&a))
		return 0;
	if (ret <= 0)
		return 0;
	total = ret;
	if (a.syscall == ST_SYS_SENDMMSG || a.syscall == ST_SYS_RECVMMSG) {
		struct mmsg_sum_state s = { .vec = a.buf, .left = total < ST_MAX_MMSG ? total : ST_MAX_MMSG };

		count_add(ST_CTR_MMSG_CALLS, 1);
		bpf_loop(ST_MAX_MMSG, mmsg_sum_step, &s, 0);
		total = s.bytes;
		if (total == 0)
			return 0;
	}
	if (a.sock_kind == ST_SOCK_UNIX) {
		count_add(ST_CTR_UNIX_BYTES, total);
		return 0;
	}
	if (a.syscall == ST_SYS_SENDFILE)
		count_add(ST_CTR_SENDFILE_BYTES, total);
	if (a.known_conn) {
		__u64 key = conn_key(pid_tgid >> 32, a.fd);

		/* still the entry enter validated, unless a close or connect replaced it meanwhile */
		conn = bpf_map_lookup_elem(&conns, &key);
		if (conn && conn->sk == a.sk)
			ends = conn->ends;
		else
			conn = NULL;
	}
	if (!conn) {
		read_endpoints((struct sock *)a.sk, &ends);
		conn = conn_for_data(pid_tgid, a.fd, (struct sock *)a.sk, &ends, a.syscall);
		if (!conn)
			return 0;
	}
	egress = is_egress(a.syscall);
	if (egress)
		__sync_fetch_and_add(&conn->bytes_sent, total);
	else
		__sync_fetch_and_add(&conn->bytes_received, total);
	if (tls_ciphertext(pid_tgid, conn, &a, egress, total))
		return 0;
	ev = prepare_data_event(pid_tgid, &a, conn, &ends, egress ? ST_DIR_EGRESS : ST_DIR_INGRESS);
	if (!ev)
		return 0;
	/* hand-off causes follow plaintext socket data only: a TLS connection returned above */
	handoff_on_data(pid_tgid, conn, a.seq, egress, ev);
	emit_payload(ev, &a, total);
	return 0;
}

/* The iovec array of a msghdr, read at enter (the kernel copies it too, so it is stable). */
static __always_inline int msg_enter(__s32 fd, __u64 msg, __u16 syscall)
{
	struct user_msghdr hdr;

	if (bpf_probe_read_user(&hdr, sizeof(hdr), (void *)msg))
		return 0;
	return data_enter(fd, (__u64)hdr.msg_iov, hdr.msg_iovlen, syscall, ST_ARG_IOV);
}

SEC("tracepoint/syscalls/sys_enter_read")
int enter_read(struct trace_event_raw_sys_enter *ctx)
{
	return data_enter(ctx->args[0], ctx->args[1], 0, ST_SYS_READ, ST_ARG_BUF);
}

SEC("tracepoint/syscalls/sys_exit_read")
int exit_read(struct trace_event_raw_sys_exit *ctx)
{
	return data_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_write")
int enter_write(struct trace_event_raw_sys_enter *ctx)
{
	return data_enter(ctx->args[0], ctx->args[1], 0, ST_SYS_WRITE, ST_ARG_BUF);
}

SEC("tracepoint/syscalls/sys_exit_write")
int exit_write(struct trace_event_raw_sys_exit *ctx)
{
	return data_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_readv")
int enter_readv(struct trace_event_raw_sys_enter *ctx)
{
	return data_enter(ctx->args[0], ctx->args[1], ctx->args[2], ST_SYS_READV, ST_ARG_IOV);
}

SEC("tracepoint/syscalls/sys_exit_readv")
int exit_readv(struct trace_event_raw_sys_exit *ctx)
{
	return data_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_writev")
int enter_writev(struct trace_event_raw_sys_enter *ctx)
{
	return data_enter(ctx->args[0], ctx->args[1], ctx->args[2], ST_SYS_WRITEV, ST_ARG_IOV);
}

SEC("tracepoint/syscalls/sys_exit_writev")
int exit_writev(struct trace_event_raw_sys_exit *ctx)
{
	return data_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	return data_enter(ctx->args[0], ctx->args[1], 0, ST_SYS_SENDTO, ST_ARG_BUF);
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int exit_sendto(struct trace_event_raw_sys_exit *ctx)
{
	return data_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_recvfrom")
int enter_recvfrom(struct trace_event_raw_sys_enter *ctx)
{
	return data_enter(ctx->args[0], ctx->args[1], 0, ST_SYS_RECVFROM, ST_ARG_BUF);
}

SEC("tracepoint/syscalls/sys_exit_recvfrom")
int exit_recvfrom(struct trace_event_raw_sys_exit *ctx)
{
	return data_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int enter_sendmsg(struct trace_event_raw_sys_enter *ctx)
{
	return msg_enter(ctx->args[0], ctx->args[1], ST_SYS_SENDMSG);
}

SEC("tracepoint/syscalls/sys_exit_sendmsg")
int exit_sendmsg(struct trace_event_raw_sys_exit *ctx)
{
	return data_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_recvmsg")
int enter_recvmsg(struct trace_event_raw_sys_enter *ctx)
{
	return msg_enter(ctx->args[0], ctx->args[1], ST_SYS_RECVMSG);
}

SEC("tracepoint/syscalls/sys_exit_recvmsg")
int exit_recvmsg(struct trace_event_raw_sys_exit *ctx)
{
	return data_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_sendmmsg")
int enter_sendmmsg(struct trace_event_raw_sys_enter *ctx)
{
	return data_enter(ctx->args[0], ctx->args[1], ctx->args[2], ST_SYS_SENDMMSG, ST_ARG_NONE);
}

SEC("tracepoint/syscalls/sys_exit_sendmmsg")
int exit_sendmmsg(struct trace_event_raw_sys_exit *ctx)
{
	return data_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_recvmmsg")
int enter_recvmmsg(struct trace_event_raw_sys_enter *ctx)
{
	return data_enter(ctx->args[0], ctx->args[1], ctx->args[2], ST_SYS_RECVMMSG, ST_ARG_NONE);
}

SEC("tracepoint/syscalls/sys_exit_recvmmsg")
int exit_recvmmsg(struct trace_event_raw_sys_exit *ctx)
{
	return data_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_sendfile64")
int enter_sendfile(struct trace_event_raw_sys_enter *ctx)
{
	return data_enter(ctx->args[0], 0, 0, ST_SYS_SENDFILE, ST_ARG_NONE);
}

SEC("tracepoint/syscalls/sys_exit_sendfile64")
int exit_sendfile(struct trace_event_raw_sys_exit *ctx)
{
	return data_exit(ctx->ret);
}

/* ---- connection lifecycle --------------------------------------------------------------------- */

static __always_inline int lifecycle_enter(__s32 fd, __u16 syscall)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct st_active a = { .fd = fd, .syscall = syscall };

	if (!process_traced(pid_tgid >> 32))
		return 0;
	active_put(&a);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_connect")
int enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	return lifecycle_enter(ctx->args[0], ST_SYS_CONNECT);
}

SEC("tracepoint/syscalls/sys_exit_connect")
int exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct st_endpoints ends = {};
	struct st_sk_timing *timing;
	struct st_conn *conn;
	struct st_active a;
	struct sock *sk;
	__u64 sk_key;
	__s32 fd;

	if (!active_take(&a))
		return 0;
	fd = a.fd;
	if (ctx->ret != 0 && ctx->ret != -ST_EINPROGRESS)
		return 0;
	sk = sock_from_fd(fd);
	if (sock_kind(sk) != ST_SOCK_TCP)
		return 0;
	read_endpoints(sk, &ends);
	if (!ports_traced(&ends))
		return 0;
	conn = register_conn(pid_tgid, fd, sk, &ends, ST_ROLE_CLIENT);
	if (!conn)
		return 0;
	emit_open(pid_tgid, fd, conn, &ends, ST_SYS_CONNECT, 0);

	sk_key = (__u64)sk;
	timing = bpf_map_lookup_elem(&sk_timing, &sk_key);
	if (!timing)
		return 0;
	/* leave what the state hook needs if the handshake is still running (nonblocking connect) */
	timing->tgid = pid_tgid >> 32;
	timing->tid = (__u32)pid_tgid;
	timing->fd = fd;
	/* atomic exchange = full barrier: pairs with the one in sock_set_state so that of the two
	 * racing sides at least one sees both fields set, and the CAS below lets only one emit */
	__sync_lock_test_and_set(&timing->generation, conn->generation);
	if (timing->established_ns && __sync_val_compare_and_swap(&timing->emitted, 0, 1) == 0)
		emit_established(pid_tgid, fd, conn->generation, ST_ROLE_CLIENT, timing->syn_sent_ns,
				 timing->established_ns, 0);
	return 0;
}

static __always_inline int accept_exit(long ret, __u16 syscall)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct st_endpoints ends = {};
	struct st_sk_timing *timing;
	struct st_conn *conn;
	struct st_active a;
	struct sock *sk;
	__u64 sk_key, established_ns = 0;
	__s32 fd = ret;

	if (!active_take(&a))
		return 0;
	if (ret < 0)
		return 0;
	sk = sock_from_fd(fd);
	if (sock_kind(sk) != ST_SOCK_TCP)
		return 0;
	read_endpoints(sk, &ends);
	if (!ports_traced(&ends))
		return 0;
	conn = register_conn(pid_tgid, fd, sk, &ends, ST_ROLE_SERVER);
	if (!conn)
		return 0;
	emit_open(pid_tgid, fd, conn, &ends, syscall, 0);
	sk_key = (__u64)sk;
	timing = bpf_map_lookup_elem(&sk_timing, &sk_key);
	if (timing)
		established_ns = timing->established_ns;
	emit_established(pid_tgid, fd, conn->generation, ST_ROLE_SERVER, 0, established_ns, bpf_ktime_get_ns());
	if (timing)
		bpf_map_delete_elem(&sk_timing, &sk_key);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_accept")
int enter_accept(struct trace_event_raw_sys_enter *ctx)
{
	return lifecycle_enter(ctx->args[0], ST_SYS_ACCEPT);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int exit_accept(struct trace_event_raw_sys_exit *ctx)
{
	return accept_exit(ctx->ret, ST_SYS_ACCEPT);
}

SEC("tracepoint/syscalls/sys_enter_accept4")
int enter_accept4(struct trace_event_raw_sys_enter *ctx)
{
	return lifecycle_enter(ctx->args[0], ST_SYS_ACCEPT4);
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int exit_accept4(struct trace_event_raw_sys_exit *ctx)
{
	return accept_exit(ctx->ret, ST_SYS_ACCEPT4);
}

SEC("tracepoint/syscalls/sys_enter_close")
int enter_close(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__s32 fd = ctx->args[0];
	__u64 key = conn_key(pid_tgid >> 32, fd);
	struct st_conn *conn = bpf_map_lookup_elem(&conns, &key);
	struct st_close_event *ev;

	if (!conn)
		return 0;
	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (ev) {
		fill_header(&ev->hdr, ST_EVENT_CLOSE, pid_tgid, fd, conn->generation);
		ev->bytes_sent = conn->bytes_sent;
		ev->bytes_received = conn->bytes_received;
		bpf_ringbuf_submit(ev, ringbuf_flags(sizeof(*ev)));
	} else {
		count_add(ST_CTR_RINGBUF_DROPS, 1);
	}
	bpf_map_delete_elem(&conns, &key);
	return 0;
}

/* ---- handshake timing ------------------------------------------------------------------------- */

SEC("tracepoint/sock/inet_sock_set_state")
int sock_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 sk_key = (__u64)ctx->skaddr;
	struct st_sk_timing *timing;
	__u64 now;

	if (ctx->protocol != ST_IPPROTO_TCP)
		return 0;
	if (ctx->newstate == ST_TCP_CLOSE) {
		bpf_map_delete_elem(&sk_timing, &sk_key);
		return 0;
	}
	now = bpf_ktime_get_ns();
	if (ctx->newstate == ST_TCP_SYN_SENT) {
		struct st_sk_timing fresh = { .syn_sent_ns = now, .fd = -1 };

		bpf_map_update_elem(&sk_timing, &sk_key, &fresh, BPF_ANY);
		return 0;
	}
	if (ctx->newstate != ST_TCP_ESTABLISHED)
		return 0;
	if (ctx->oldstate == ST_TCP_SYN_RECV) {
		/* server child socket: accept() will pick this up */
		struct st_sk_timing fresh = { .established_ns = now, .fd = -1 };

		bpf_map_update_elem(&sk_timing, &sk_key, &fresh, BPF_ANY);
		return 0;
	}
	if (ctx->oldstate != ST_TCP_SYN_SENT)
		return 0;
	timing = bpf_map_lookup_elem(&sk_timing, &sk_key);
	if (!timing)
		return 0;
	__sync_lock_test_and_set(&timing->established_ns, now);
	/* a nonblocking connect() already returned: emit on its behalf (this may run in softirq) */
	if (timing->generation && __sync_val_compare_and_swap(&timing->emitted, 0, 1) == 0)
		emit_established(((__u64)timing->tgid << 32) | timing->tid, timing->fd, timing->generation,
				 ST_ROLE_CLIENT, timing->syn_sent_ns, now, 0);
	return 0;
}

/* ---- process lifecycle (for the user-space /proc metadata cache) ------------------------------- */

SEC("tracepoint/sched/sched_process_exec")
int process_exec(void *ctx)
{
	emit_process_event(ST_EVENT_PROCESS_EXEC);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int process_exit(void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	/* a thread that dies inside an SSL call (killed while blocked in SSL_read) never returns from it */
	bpf_map_delete_elem(&ssl_calls, &pid_tgid);
	handoff_thread_exit((__u32)pid_tgid);
	if ((__u32)pid_tgid == pid_tgid >> 32)
		emit_process_event(ST_EVENT_PROCESS_EXIT);
	return 0;
}
