"""Client binaries for the real-client suite.

``govc_binary()`` returns the path of govc 0.24, built (with vcsim) from Debian's govmomi source
package by ``../shared/tools/build-vcsim`` on first use; the script prints the vcsim and govc
paths, one a line, and only prints them when both are already built.
"""
import functools
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_VCSIM = os.path.join(ROOT, "..", "shared", "tools", "build-vcsim")


@functools.lru_cache(maxsize=None)
def anchor_binaries():
    """(vcsim, govc): their paths, building them if they are missing."""
    done = subprocess.run([BUILD_VCSIM], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    paths = done.stdout.split()
    if done.returncode != 0 or len(paths) != 2 or not all(map(os.path.isfile, paths)):
        raise RuntimeError("%s failed (exit %s):\n%s" % (BUILD_VCSIM, done.returncode,
                                                         done.stderr[-3000:]))
    return tuple(paths)


def govc_binary():
    return anchor_binaries()[1]
