/* File plumbing for quant/dequant: open, check the length, convert batch by
 * batch, clean up on failure. */
#include "stream.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"

/* Bytes read per batch: large enough that per-call overhead vanishes, small
 * enough that memory stays flat whatever the file size. */
#define STREAM_BATCH_BYTES ((size_t)4 << 20)

typedef struct stream_state {
    const tool_stream *st;
    FILE *in, *out;
    bool out_created; /* a regular file we truncated: remove it on failure */
    unsigned char *inbuf, *outbuf;
    size_t units_per_batch;
} stream_state;

static bool is_dash(const char *path) { return strcmp(path, "-") == 0; }

/* How a path appears in messages: "-" means a standard stream. */
static const char *shown(const char *path, const char *dash_name) { return is_dash(path) ? dash_name : path; }

static int open_input(stream_state *ss) {
    const tool_stream *st = ss->st;
    ss->in = is_dash(st->in_path) ? stdin : fopen(st->in_path, "rb");
    if (!ss->in) {
        tool_error(st->cmd, "cannot open '%s': %s", st->in_path, strerror(errno));
        return TOOL_EXIT_FAILURE;
    }
    struct stat sb;
    if (fstat(fileno(ss->in), &sb) != 0) return TOOL_EXIT_OK; /* the reads will report it */
    if (S_ISDIR(sb.st_mode)) {
        tool_error(st->cmd, "cannot read '%s': it is a directory", shown(st->in_path, "stdin"));
        return TOOL_EXIT_FAILURE;
    }
    /* A regular file can be checked whole before any output exists; pipes
     * are checked as they end. */
    if (S_ISREG(sb.st_mode) && (uint64_t)sb.st_size % st->in_unit != 0) {
        tool_error(st->cmd, "'%s' holds %lld bytes, not a whole number of %s", st->in_path,
                   (long long)sb.st_size, st->unit_desc);
        return TOOL_EXIT_FAILURE;
    }
    return TOOL_EXIT_OK;
}

/* Opening the input for writing would truncate it before it is read. */
static bool same_file(const char *in_path, const char *out_path) {
    struct stat a, b;
    if (is_dash(in_path) || is_dash(out_path)) return false;
    if (stat(in_path, &a) != 0 || stat(out_path, &b) != 0) return false;
    return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int open_output(stream_state *ss) {
    const tool_stream *st = ss->st;
    if (same_file(st->in_path, st->out_path)) {
        tool_error(st->cmd, "--in and --out name the same file '%s'", st->out_path);
        return TOOL_EXIT_USAGE;
    }
    if (is_dash(st->out_path)) {
        ss->out = stdout;
        return TOOL_EXIT_OK;
    }
    ss->out = fopen(st->out_path, "wb");
    if (!ss->out) {
        tool_error(st->cmd, "cannot create '%s': %s", st->out_path, strerror(errno));
        return TOOL_EXIT_FAILURE;
    }
    struct stat sb;
    ss->out_created = fstat(fileno(ss->out), &sb) == 0 && S_ISREG(sb.st_mode);
    return TOOL_EXIT_OK;
}

static int alloc_buffers(stream_state *ss) {
    const tool_stream *st = ss->st;
    size_t widest = st->in_unit > st->out_unit ? st->in_unit : st->out_unit;
    ss->units_per_batch = widest < STREAM_BATCH_BYTES ? STREAM_BATCH_BYTES / widest : 1;
    ss->inbuf = malloc(ss->units_per_batch * st->in_unit);
    ss->outbuf = malloc(ss->units_per_batch * st->out_unit);
    if (!ss->inbuf || !ss->outbuf) {
        tool_error(st->cmd, "out of memory for a batch of %zu %s", ss->units_per_batch, st->unit_desc);
        return TOOL_EXIT_FAILURE;
    }
    return TOOL_EXIT_OK;
}

/* Converts one batch of n units already in inbuf and writes it. */
static int convert_batch(stream_state *ss, size_t n) {
    const tool_stream *st = ss->st;
    /* Output the library leaves unwritten reads as zeros, not as heap bytes
     * that change from run to run. */
    memset(ss->outbuf, 0, n * st->out_unit);
    realm_status s = st->convert(st->ctx, ss->inbuf, ss->outbuf, n);
    if (s != REALM_OK) {
        tool_error_status(st->cmd, s, st->call);
        return TOOL_EXIT_FAILURE;
    }
    if (fwrite(ss->outbuf, st->out_unit, n, ss->out) != n) {
        tool_error(st->cmd, "cannot write '%s': %s", shown(st->out_path, "stdout"), strerror(errno));
        return TOOL_EXIT_FAILURE;
    }
    return TOOL_EXIT_OK;
}

static int pump(stream_state *ss) {
    const tool_stream *st = ss->st;
    for (;;) {
        size_t got = fread(ss->inbuf, 1, ss->units_per_batch * st->in_unit, ss->in);
        if (ferror(ss->in)) {
            tool_error(st->cmd, "cannot read '%s': %s", shown(st->in_path, "stdin"), strerror(errno));
            return TOOL_EXIT_FAILURE;
        }
        if (got % st->in_unit != 0) {
            tool_error(st->cmd, "'%s' ends with %zu stray bytes: its length is not a whole number of %s",
                       shown(st->in_path, "stdin"), got % st->in_unit, st->unit_desc);
            return TOOL_EXIT_FAILURE;
        }
        if (got > 0) {
            int rc = convert_batch(ss, got / st->in_unit);
            if (rc != TOOL_EXIT_OK) return rc;
        }
        if (got < ss->units_per_batch * st->in_unit) return TOOL_EXIT_OK; /* end of input */
    }
}

/* Flushes and closes the output; a full disk often shows only here. */
static int close_output(stream_state *ss) {
    FILE *out = ss->out;
    ss->out = NULL;
    errno = 0;
    bool ok = fflush(out) == 0 && !ferror(out);
    if (out != stdout) ok = (fclose(out) == 0) && ok;
    if (ok) return TOOL_EXIT_OK;
    tool_error(ss->st->cmd, "cannot write '%s': %s", ss->st->out_path,
               errno ? strerror(errno) : "write error");
    return TOOL_EXIT_FAILURE;
}

static void cleanup(stream_state *ss, int rc) {
    if (ss->out && ss->out != stdout) fclose(ss->out);
    if (ss->in && ss->in != stdin) fclose(ss->in);
    /* A partial file looks valid to the next tool in a pipeline: remove it. */
    if (rc != TOOL_EXIT_OK && ss->out_created) unlink(ss->st->out_path);
    free(ss->inbuf);
    free(ss->outbuf);
}

int tool_stream_run(const tool_stream *st) {
    stream_state ss = {.st = st};
    int rc = open_input(&ss);
    if (rc == TOOL_EXIT_OK) rc = open_output(&ss);
    if (rc == TOOL_EXIT_OK) rc = alloc_buffers(&ss);
    if (rc == TOOL_EXIT_OK) rc = pump(&ss);
    if (rc == TOOL_EXIT_OK) rc = close_output(&ss);
    cleanup(&ss, rc);
    return rc;
}
