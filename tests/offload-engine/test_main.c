/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include "suite.h"

int main(void)
{
	struct group_result (*groups[])(void) = {run_csum_tests,    run_txrx_tests, run_gso_tests,
						 run_cls_rss_tests, run_err_tests,  run_rsc_tests};
	int run = 0, failed = 0;

	setvbuf(stdout, NULL, _IONBF, 0); /* keep order with cmocka's stderr lines */

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		struct group_result r = groups[i]();
		run += r.run;
		failed += r.failed;
	}
	fflush(stderr);
	printf("%d passed, %d failed\n", run - failed, failed);
	return failed != 0;
}
