/* SPDX-License-Identifier: GPL-2.0-or-later */
#pragma once

/*
 * Small helpers used everywhere: cleanup attributes, ownership hand-off,
 * array sizes. Nothing here allocates or logs.
 */

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))
#define _pure_ __attribute__((pure))
#define _const_ __attribute__((const))
#define _likely_(x) __builtin_expect(!!(x), 1)
#define _unlikely_(x) __builtin_expect(!!(x), 0)
#define _nonnull_(...) __attribute__((nonnull(__VA_ARGS__)))
#define _warn_unused_result_ __attribute__((warn_unused_result))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define container_of(ptr, type, member) \
        ((type *)((char *)(ptr) - offsetof(type, member)))

/* Hands ownership out of a _cleanup_ variable: returns it and leaves NULL behind. */
#define TAKE_PTR(p)                             \
        ({                                      \
                __typeof__(p) _tp_ = (p);       \
                (p) = NULL;                     \
                _tp_;                           \
        })

#define TAKE_FD(fd)                             \
        ({                                      \
                int _tf_ = (fd);                \
                (fd) = -1;                      \
                _tf_;                           \
        })

/* Declares type_freep(type **p) for a destructor `type *type_free(type *)`. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)         \
        static inline void func##p(type *p) {           \
                if (*p)                                 \
                        func(*p);                       \
        }

static inline void freep(void *p) {
        free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd) {
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
        }
}
#define _cleanup_close_ _cleanup_(closep)

static inline int negative_errno(void) {
        return errno > 0 ? -errno : -EIO;
}

static inline int streq(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

static inline const char *strempty(const char *s) {
        return s ? s : "";
}

/* Enum ⇄ string tables from one source: the array's index is the enum value. */
#define DEFINE_STRING_TABLE_LOOKUP(name, type)                                  \
        const char *name##_to_string(type v) {                                  \
                if ((size_t)v >= ELEMENTSOF(name##_table))                      \
                        return NULL;                                            \
                return name##_table[v];                                         \
        }                                                                       \
        type name##_from_string(const char *s) {                                \
                if (!s)                                                         \
                        return (type)-EINVAL;                                   \
                for (size_t i = 0; i < ELEMENTSOF(name##_table); i++)           \
                        if (name##_table[i] && streq(name##_table[i], s))       \
                                return (type)i;                                 \
                return (type)-EINVAL;                                           \
        }

#define DECLARE_STRING_TABLE_LOOKUP(name, type)         \
        const char *name##_to_string(type v) _const_;   \
        type name##_from_string(const char *s) _pure_
