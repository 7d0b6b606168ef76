/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* fd -> struct sock resolution and endpoint extraction, CO-RE (no hard-coded offsets), kernel 6.2+. */
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

/* kfunc (kernel 6.2+): the verifier types obj as btf_id, read-only, each load guarded against faults */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/*
 * task->files->fdt->fd[fd]->private_data (struct socket)->sk, when fd is a socket. This runs at the
 * enter of every socket syscall, so it walks the BTF-typed current task with plain loads (one
 * instruction each, a fault reads 0) instead of one bpf_probe_read_kernel call per field; only the
 * variable index fd[fd] takes a helper, and the untyped pointers are typed by bpf_rdonly_cast.
 */
static __always_inline struct sock *sock_from_fd(int fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = task->files->fdt;
	struct file *file = NULL;
	struct socket *socket;

	if (fd < 0 || !fdt || (unsigned int)fd >= fdt->max_fds)
		return NULL;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fdt->fd[fd]) || !file)
		return NULL;
	file = bpf_rdonly_cast(file, bpf_core_type_id_kernel(struct file));
	if ((file->f_inode->i_mode & ST_S_IFMT) != ST_S_IFSOCK)
		return NULL;
	socket = bpf_rdonly_cast(file->private_data, bpf_core_type_id_kernel(struct socket));
	if (!socket)
		return NULL;
	return socket->sk;
}

/* sk as a typed pointer: plain loads from it are guarded by the verifier (bpf_rdonly_cast costs nothing). */
static __always_inline struct sock *typed_sock(const void *sk)
{
	return bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct sock));
}

static __always_inline enum st_sock_kind sock_kind(struct sock *sk)
{
	__u16 family, type;

	if (!sk)
		return ST_SOCK_NONE;
	sk = typed_sock(sk);
	family = sk->__sk_common.skc_family;
	type = sk->sk_type;
	if (type != ST_SOCK_STREAM)
		return ST_SOCK_NONE;
	if (family == ST_AF_UNIX)
		return ST_SOCK_UNIX;
	if (family != ST_AF_INET && family != ST_AF_INET6)
		return ST_SOCK_NONE;
	return sk->sk_protocol == ST_IPPROTO_TCP ? ST_SOCK_TCP : ST_SOCK_NONE;
}

static __always_inline void read_endpoints(struct sock *sk, struct st_endpoints *ends)
{
	__u16 family;

	sk = typed_sock(sk);
	family = sk->__sk_common.skc_family;
	ends->family = family;
	ends->local_port = sk->__sk_common.skc_num;
	ends->remote_port = bpf_ntohs(sk->__sk_common.skc_dport);
	if (family == ST_AF_INET6) {
		__builtin_memcpy(ends->local_addr, &sk->__sk_common.skc_v6_rcv_saddr, ST_ADDR_BYTES);
		__builtin_memcpy(ends->remote_addr, &sk->__sk_common.skc_v6_daddr, ST_ADDR_BYTES);
	} else {
		*(__u32 *)ends->local_addr = sk->__sk_common.skc_rcv_saddr;
		*(__u32 *)ends->remote_addr = sk->__sk_common.skc_daddr;
	}
}

/* Ports of sk in host order, for telling a reused socket address from the connection we knew. */
static __always_inline void read_ports(struct sock *sk, __u16 *local, __u16 *remote)
{
	sk = typed_sock(sk);
	*local = sk->__sk_common.skc_num;
	*remote = bpf_ntohs(sk->__sk_common.skc_dport);
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
	struct tcp_sock *tp = bpf_rdonly_cast(sk, bpf_core_type_id_kernel(struct tcp_sock));

	return egress ? tp->write_seq : tp->copied_seq;
}

#endif
