// SPDX-License-Identifier: MIT
/* pcap reading/writing via libpcap; see pcap_io.h. */
#include "pcap_io.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct nio_reader {
	pcap_t *p;
	const char *path;
};

struct nio_writer {
	pcap_t *p;
	pcap_dumper_t *d;
	const char *path;
	uint8_t buf[NIO_SNAPLEN];
};

struct nio_reader *nio_open_read(const char *path)
{
	char err[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p = pcap_open_offline(path, err);
	if (!p) {
		fprintf(stderr, "nic-offload: %s: %s\n", path, err);
		return NULL;
	}
	if (pcap_datalink(p) != DLT_EN10MB) {
		fprintf(stderr, "nic-offload: %s: link type %s, only Ethernet is supported\n", path,
			pcap_datalink_val_to_name(pcap_datalink(p)) ?: "unknown");
		pcap_close(p);
		return NULL;
	}
	struct nio_reader *r = calloc(1, sizeof(*r));
	if (!r) {
		pcap_close(p);
		fprintf(stderr, "nic-offload: out of memory\n");
		return NULL;
	}
	r->p = p;
	r->path = path;
	return r;
}

int nio_next(struct nio_reader *r, struct nio_frame *f)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(r->p, &h, &data);
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		/* libpcap reports a record cut by the end of the file here. */
		fprintf(stderr, "nic-offload: %s: %s\n", r->path, pcap_geterr(r->p));
		return -1;
	}
	f->data = data;
	f->caplen = h->caplen;
	f->len = h->len;
	f->ts = h->ts;
	return 1;
}

void nio_close_read(struct nio_reader *r)
{
	if (!r)
		return;
	pcap_close(r->p);
	free(r);
}

struct nio_writer *nio_open_write(const char *path)
{
	struct nio_writer *w = calloc(1, sizeof(*w));
	if (!w) {
		fprintf(stderr, "nic-offload: out of memory\n");
		return NULL;
	}
	w->path = path;
	w->p = pcap_open_dead(DLT_EN10MB, NIO_SNAPLEN);
	if (!w->p) {
		fprintf(stderr, "nic-offload: %s: pcap_open_dead failed\n", path);
		free(w);
		return NULL;
	}
	w->d = pcap_dump_open(w->p, path);
	if (!w->d) {
		fprintf(stderr, "nic-offload: %s: %s\n", path, pcap_geterr(w->p));
		pcap_close(w->p);
		free(w);
		return NULL;
	}
	return w;
}

int nio_write(struct nio_writer *w, const struct timeval *ts, const uint8_t *const *piece,
	      const uint32_t *piece_len, unsigned n)
{
	size_t len = 0;
	for (unsigned i = 0; i < n; i++) {
		if (piece_len[i] > sizeof(w->buf) - len) {
			fprintf(stderr, "nic-offload: %s: output frame over %u bytes\n", w->path,
				NIO_SNAPLEN);
			return -1;
		}
		memcpy(w->buf + len, piece[i], piece_len[i]);
		len += piece_len[i];
	}
	struct pcap_pkthdr h = {.ts = *ts, .caplen = (bpf_u_int32)len, .len = (bpf_u_int32)len};
	pcap_dump((u_char *)w->d, &h, w->buf);
	return 0;
}

int nio_close_write(struct nio_writer *w)
{
	if (!w)
		return 0;
	int rc = 0;
	if (pcap_dump_flush(w->d) != 0 || ferror(pcap_dump_file(w->d))) {
		fprintf(stderr, "nic-offload: %s: write error: %s\n", w->path, strerror(errno));
		rc = -1;
	}
	pcap_dump_close(w->d);
	pcap_close(w->p);
	free(w);
	return rc;
}
