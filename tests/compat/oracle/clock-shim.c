/*
 * Warden test tool: an LD_PRELOAD library for OSSEC's ossec-logtest that sets the engine's clock
 * per input line, so the real engine can answer for traffic spread over hours (correlation
 * windows, ignore times) instead of the few seconds a file takes on the wall clock.
 *
 * WARDEN_ORACLE_TIMES names a file of epoch seconds, one per input line. Each line logtest reads
 * from stdin (fgets) advances the clock to that line's time; time() and gettimeofday() (the
 * accumulator's clock) return it. Everything else
 * is the unmodified engine. The file is read when the library loads, before logtest chroots.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <sys/time.h>

static long *times_of_lines;
static long lines_known;
static long current_line = -1;

__attribute__((constructor)) static void load_times(void)
{
    const char *path = getenv("WARDEN_ORACLE_TIMES");
    FILE *f;
    long cap = 1024;
    long v;

    if (!path || !(f = fopen(path, "r"))) {
        return;
    }
    times_of_lines = malloc(cap * sizeof(long));
    while (times_of_lines && fscanf(f, "%ld", &v) == 1) {
        if (lines_known == cap) {
            cap *= 2;
            times_of_lines = realloc(times_of_lines, cap * sizeof(long));
            if (!times_of_lines) {
                break;
            }
        }
        times_of_lines[lines_known++] = v;
    }
    fclose(f);
}

char *fgets(char *s, int size, FILE *stream)
{
    static char *(*real_fgets)(char *, int, FILE *);
    char *r;

    if (!real_fgets) {
        real_fgets = (char *(*)(char *, int, FILE *))dlsym(RTLD_NEXT, "fgets");
    }
    r = real_fgets(s, size, stream);
    if (r && stream == stdin) {
        current_line++;
    }
    return r;
}

time_t time(time_t *out)
{
    time_t now;

    if (lines_known == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        now = ts.tv_sec;
    } else {
        long i = current_line < 0 ? 0 : (current_line < lines_known ? current_line : lines_known - 1);
        now = (time_t)times_of_lines[i];
    }
    if (out) {
        *out = now;
    }
    return now;
}

int gettimeofday(struct timeval *tv, void *tz)
{
    (void)tz;
    if (lines_known == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        tv->tv_sec = ts.tv_sec;
        tv->tv_usec = ts.tv_nsec / 1000;
        return 0;
    }
    tv->tv_sec = time(NULL);
    tv->tv_usec = 0;
    return 0;
}
