#ifndef DOCGATE_CSYSTEMSHIMS_H
#define DOCGATE_CSYSTEMSHIMS_H

/* Linux calls that glibc declares only under _GNU_SOURCE, which Swift's Glibc module does not set. */

/* syncfs(2): flush the whole file system that holds `fd` (one call for a batch of files). */
int docgate_syncfs(int fd);

/* renameat2(2) with RENAME_NOREPLACE: fails with EEXIST instead of replacing the target. Returns 0 or -1
 * (errno set; EINVAL or ENOSYS where the file system does not support the flag). */
int docgate_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);

/* A read lease (F_SETLEASE, F_RDLCK) on a descriptor opened read-only: refused with EAGAIN while any process
 * holds the file open for writing. Returns 0 or -1 (errno set). The caller must ignore SIGIO: a lease break
 * signals the holder. */
int docgate_set_read_lease(int fd);

/* Gives up a lease taken by docgate_set_read_lease. */
int docgate_release_lease(int fd);

#include <spawn.h>

/* posix_spawn_file_actions_addclosefrom_np: the child starts with no descriptor from `from` up, whether or not the
 * parent marked it close-on-exec (Foundation's file writes do not). Returns 0 or an error number. */
int docgate_spawn_close_from(posix_spawn_file_actions_t *actions, int from);

#endif
