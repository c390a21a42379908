/* httpd: lwIP's HTTP server with pages built in (fs_open_custom):
 *   /            a small HTML page naming this VM
 *   /big.bin     256 KiB of a known pattern (byte i = (i * 7 + i / 251) & 255),
 *                for transfers long enough to need TSO. */
#include <stdio.h>
#include <string.h>

#include "gnet.h"
#include "guest/guest.h"
#include "lwip/apps/fs.h"
#include "lwip/apps/httpd.h"

#define BIG_LEN (256u * 1024u)

static char index_html[512];
static int index_len;
static unsigned char big[BIG_LEN];

int fs_open_custom(struct fs_file *file, const char *name)
{
	const char *data;
	int len;

	if (!strcmp(name, "/index.html") || !strcmp(name, "/")) {
		data = index_html;
		len = index_len;
	} else if (!strcmp(name, "/big.bin")) {
		data = (const char *)big;
		len = BIG_LEN;
	} else {
		return 0;
	}
	memset(file, 0, sizeof(*file));
	file->data = data;
	file->len = len;
	file->index = len;
	file->flags = FS_FILE_FLAGS_HEADER_PERSISTENT;
	return 1;
}

void fs_close_custom(struct fs_file *file)
{
	(void)file;
}

int main(void)
{
	struct netif *nif;

	index_len = snprintf(index_html, sizeof(index_html),
			     "<!DOCTYPE html>\n<html><head><title>rvhv httpd</title></head>\n"
			     "<body><h1>Hello from %s</h1>\n"
			     "<p>lwIP httpd on a RISC-V unikernel, over a virtio-net VF.</p>\n"
			     "</body></html>\n",
			     guest_info()->vm_name);
	for (unsigned int i = 0; i < BIG_LEN; i++)
		big[i] = (unsigned char)((i * 7 + i / 251) & 255);
	if (gnet_init())
		return 1;
	httpd_init();
	nif = gnet_netif();
	printf("httpd: listening on %s:80\n", ip4addr_ntoa(netif_ip4_addr(nif)));
	gnet_run(NULL);
}
