#define _GNU_SOURCE 1
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <unistd.h>
#include "csystemshims.h"

int docgate_syncfs(int fd) {
    return syncfs(fd);
}

int docgate_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath) {
    return renameat2(olddirfd, oldpath, newdirfd, newpath, RENAME_NOREPLACE);
}

int docgate_set_read_lease(int fd) {
    return fcntl(fd, F_SETLEASE, F_RDLCK);
}

int docgate_release_lease(int fd) {
    return fcntl(fd, F_SETLEASE, F_UNLCK);
}

int docgate_spawn_close_from(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}
