/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* fd -> struct sock resolution and endpoint extraction, CO-RE (no hard-coded offsets). */
#ifndef SPANSCOPE_SOCKET_LOOKUP_BPF_H
#define SPANSCOPE_SOCKET_LOOKUP_BPF_H

#define ST_AF_UNIX 1
#define ST_AF_INET 2
#define ST_AF_INET6 10
#define ST_S_IFMT 00170000
#define ST_S_IFSOCK 0140000
#define ST_SOCK_STREAM 1
#define ST_IPPROTO_TCP 6

enum st_sock_kind {
	ST_SOCK_NONE = 0,  /* not a socket, or a socket we neither trace nor count */
	ST_SOCK_TCP = 1,   /* AF_INET/AF_INET6 TCP stream socket: traced */
	ST_SOCK_UNIX = 2,  /* AF_UNIX stream socket: bytes counted only */
};

/* task->files->fdt->fd[fd]->private_data (struct socket)->sk, when fd is a socket. */
static __always_inline struct sock *sock_from_fd(int fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *file = NULL;
	struct socket *socket;
	umode_t mode;

	if (fd < 0 || !fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return NULL;
	mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & ST_S_IFMT) != ST_S_IFSOCK)
		return NULL;
	socket = BPF_CORE_READ(file, private_data);
	if (!socket)
		return NULL;
	return BPF_CORE_READ(socket, sk);
}

static __always_inline enum st_sock_kind sock_kind(struct sock *sk)
{
	__u16 family, type, protocol;

	if (!sk)
		return ST_SOCK_NONE;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	type = BPF_CORE_READ(sk, sk_type);
	if (type != ST_SOCK_STREAM)
		return ST_SOCK_NONE;
	if (family == ST_AF_UNIX)
		return ST_SOCK_UNIX;
	if (family != ST_AF_INET && family != ST_AF_INET6)
		return ST_SOCK_NONE;
	protocol = BPF_CORE_READ(sk, sk_protocol);
	return protocol == ST_IPPROTO_TCP ? ST_SOCK_TCP : ST_SOCK_NONE;
}

static __always_inline void read_endpoints(struct sock *sk, struct st_endpoints *ends)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	ends->family = family;
	ends->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	ends->remote_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == ST_AF_INET6) {
		BPF_CORE_READ_INTO(&ends->local_addr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&ends->remote_addr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	} else {
		BPF_CORE_READ_INTO((__u32 *)ends->local_addr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)ends->remote_addr, sk, __sk_common.skc_daddr);
	}
}

/*
 * TCP sequence number of the next byte this call moves. Read at syscall ENTER: for egress
 * write_seq is where the bytes of this write() start in the stream, for ingress copied_seq is where
 * this read() starts copying. This assumes one writer (one reader) per socket at a time, which is
 * what every byte-stream protocol needs anyway; two threads writing the same socket concurrently
 * would get interleaved ranges and the later one a stale number.
 */
static __always_inline __u32 tcp_next_seq(struct sock *sk, bool egress)
{
	struct tcp_sock *tp = (struct tcp_sock *)sk;

	return egress ? BPF_CORE_READ(tp, write_seq) : BPF_CORE_READ(tp, copied_seq);
}

#endif
