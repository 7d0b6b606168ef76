/*
 * A library that exports SSL_write and SSL_read as GNU indirect functions (STT_GNU_IFUNC): discovery
 * takes it for a TLS library, but libbpf 1.1 resolves uprobe targets among STT_FUNC symbols only, so
 * attaching fails. The live test uses it to prove that such a file is reported once and capture goes on.
 */
static int pass_through(void *ssl, void *buf, int num)
{
	(void)ssl;
	(void)buf;
	return num;
}

static void *resolve(void)
{
	return (void *)pass_through;
}

int SSL_write(void *ssl, const void *buf, int num) __attribute__((ifunc("resolve")));
int SSL_read(void *ssl, void *buf, int num) __attribute__((ifunc("resolve")));
