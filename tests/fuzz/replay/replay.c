/*
 * replay: runs a libFuzzer target over files and folders without libFuzzer, so the normal
 * build (gcc, with or without sanitizers) replays the seed corpora in every `make check`.
 *   replay-csv FILE|DIR...     exits 0 when every input ran; a crash aborts as usual
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long size;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		if (f != NULL)
			fclose(f);
		return -1;
	}
	buf = malloc((size_t)size + 1);
	if (buf == NULL || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)size);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	int n = 0;

	for (int i = 1; i < argc; i++) {
		struct stat sb;
		DIR *d;
		struct dirent *e;

		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode) && (d = opendir(argv[i])) != NULL) {
			while ((e = readdir(d)) != NULL) {
				char path[4096];

				if (e->d_name[0] == '.')
					continue;
				snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
				if (run_file(path) == -1)
					return 1;
				n++;
			}
			closedir(d);
		} else {
			if (run_file(argv[i]) == -1)
				return 1;
			n++;
		}
	}
	printf("replayed %d inputs\n", n);
	return 0;
}
