/* replay.c - run fuzz inputs through a target without libFuzzer.
 *
 *   replay_TARGET [-t SECONDS] [-x] PATH...
 *
 * Each PATH is a file or a directory (its files, in name order, not
 * recursive).  Every file is fed to the target's LLVMFuzzerTestOneInput
 * in a child process, so a crash names its file and the others still
 * run; a file that takes longer than -t seconds (default 10) is a hang.
 * Exit status 0 when every file passed, 1 otherwise.  With -x every file
 * is expected to fail (inputs of open problems, tests/fuzz/known/): each
 * failure prints XFAIL, and a file that passes makes the run fail.
 *
 * Built with the normal compiler and flags (and so with ASan/UBSan under
 * SANITIZE=1) by mk/fuzz.mk; `make check` replays the seed corpus and the
 * regressions of every target. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned timeout_s = 10;
static int passed, failed, expect_fail;

/* Read the whole file; NULL on error (reported). */
static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		uint8_t *nb = realloc(buf, cap * 2);
		if (!nb)
			free(buf);
		buf = nb;
		cap *= 2;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* Run one file in a child; count and report the outcome. */
static void run_one(const char *path)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		perror("replay: fork");
		failed++;
		return;
	}
	if (pid == 0) {
		if (expect_fail && !freopen("/dev/null", "w", stderr))   /* the failure is the point */
			_exit(3);
		size_t len;
		uint8_t *data = slurp(path, &len);
		if (!data)
			_exit(3);
		alarm(timeout_s);
		/* libFuzzer passes a buffer of exactly `size` bytes: copy so
		 * that ASan sees an overread past its end. */
		uint8_t *exact = malloc(len ? len : 1);
		if (!exact)
			_exit(3);
		memcpy(exact, data, len);
		free(data);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
		exit(0);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	if (expect_fail) {
		if (ok) {
			fprintf(stderr, "replay: XPASS on %s: fixed? move it to tests/fuzz/regressions/\n", path);
			failed++;
		} else {
			fprintf(stderr, "replay: XFAIL on %s (known problem)\n", path);
			passed++;
		}
		return;
	}
	if (ok) {
		passed++;
		return;
	}
	failed++;
	if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM)
		fprintf(stderr, "replay: HANG (over %us) on %s\n", timeout_s, path);
	else if (WIFSIGNALED(st))
		fprintf(stderr, "replay: CRASH (signal %d) on %s\n", WTERMSIG(st), path);
	else
		fprintf(stderr, "replay: FAIL (exit %d) on %s\n", WEXITSTATUS(st), path);
}

/* qsort comparator for names. */
static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run a file, or every regular file of a directory in name order. */
static void run_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		failed++;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		run_one(path);
		return;
	}
	DIR *dir = opendir(path);
	if (!dir) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		failed++;
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, cap * sizeof *nn);
			if (!nn)
				abort();
			names = nn;
		}
		size_t l = strlen(path) + strlen(e->d_name) + 2;
		if (!(names[n] = malloc(l)))
			abort();
		snprintf(names[n++], l, "%s/%s", path, e->d_name);
	}
	closedir(dir);
	if (n > 1)
		qsort(names, n, sizeof *names, cmp);
	for (size_t i = 0; i < n; i++) {
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
			run_one(names[i]);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			timeout_s = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "-x") == 0)
			expect_fail = 1;
		else
			break;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: %s [-t SECONDS] [-x] PATH...\n", argv[0]);
		return 2;
	}
	for (; i < argc; i++)
		run_path(argv[i]);
	printf("%s: %d inputs replayed%s, %d failed\n", argv[0], passed + failed,
	       expect_fail ? " (known problems, expected to fail)" : "", failed);
	return failed ? 1 : 0;
}
