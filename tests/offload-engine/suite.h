/* SPDX-License-Identifier: MIT */
/* Each test file runs its cmocka group; main adds up the results. */
#ifndef TEST_SUITE_H
#define TEST_SUITE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

struct group_result {
	int run, failed;
};

struct group_result run_csum_tests(void);
struct group_result run_txrx_tests(void);
struct group_result run_gso_tests(void);
struct group_result run_cls_rss_tests(void);
struct group_result run_err_tests(void);
struct group_result run_rsc_tests(void);

#define RUN_GROUP(tests)                                                                           \
	((struct group_result){(int)(sizeof(tests) / sizeof((tests)[0])),                          \
			       cmocka_run_group_tests(tests, NULL, NULL)})

#endif
