"""Writing output files atomically: the one place in ``geo`` that writes them.

Every map, image, export and ``geo analyze -o`` file is written here, so that a
reader never sees a half-written file and a failure leaves the previous file
byte for byte as it was:

* the data goes to a temporary file in the target's folder, named
  ``.NAME.geo-tmp-PID-TOKEN`` (:data:`TEMP_MARK`; the process id and 8 random
  hex digits), is flushed and ``fsync``-ed, then renamed over the target
  (``os.replace``, atomic on POSIX), and the folder is ``fsync``-ed too (best
  effort), so that the new name survives a crash;
* a new file gets the mode the umask gives (``0o666 & ~umask``, as any program's
  new file); a file that replaces another keeps its permission bits (not setuid,
  setgid or sticky); the owner is whoever runs ``geo``;
* on any failure, Ctrl-C (``KeyboardInterrupt``) included, the temporary file is
  removed; a system error becomes :class:`geo.errors.OutputError`, one line
  ``PATH: cannot write: REASON; what to do next``;
* a run that was killed (``kill -9``, power cut) cannot clean up: the next write
  of the same target removes that target's temporary files whose process is no
  longer running or that are older than :data:`STALE_AFTER_SECONDS`
  (:func:`sweep_stale`).  Nothing else in the folder is touched.

:func:`write_atomic` writes one file, :func:`building` lets a library that needs
a path (GDAL) build a file the same way, and :func:`together` /
:func:`write_atomic_many` write several files all or none (the map and its
``--embed`` snippet).  :func:`check_target` says, before any slow work, whether a
path can be written at all (its folder exists, it is not a folder).

Limits: the renames of several files are not one atomic step (each file is always
whole, but a crash between two renames leaves the first new and the second old);
the process check cannot see processes of another machine, so two machines
writing the same target in a shared network folder at once may remove each
other's temporary file after the other's process id is not found locally (that
write then fails cleanly).
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from geo.errors import OutputError, visible

__all__ = ["TEMP_MARK", "STALE_AFTER_SECONDS", "check_target", "write_atomic", "building", "together",
           "write_atomic_many", "sweep_stale", "temp_name"]

#: Between the target's name and the process id in a temporary file's name: ``.map.html.geo-tmp-4242-1a2b3c4d``.
TEMP_MARK = ".geo-tmp-"
#: A temporary file older than this (seconds) is stale even if its process id is running (ids are reused); a
#: live write takes seconds (the data is ready before its temporary file is made).
STALE_AFTER_SECONDS = 3600
#: Longest file name most file systems take, in bytes (the target's name is shortened to fit in a temporary name).
NAME_MAX = 255

#: What to do next, by the error a write met.
_HINTS = {
    errno.ENOENT: "folder {folder} does not exist; create it first",
    errno.ENOTDIR: "{folder} is not a folder (or a part of it is a file); choose a path in a folder",
    errno.EISDIR: "that is a folder; give the path of a file in it",
    errno.EACCES: "choose a folder you may write to",
    errno.EPERM: "choose a folder you may write to",
    errno.EROFS: "choose a folder on a writable disk",
    errno.ENOSPC: "free some disk space and try again",
    errno.EDQUOT: "free some disk space (your quota is used up) and try again",
    errno.ENAMETOOLONG: "choose a shorter file name",
}
_TOKEN = re.compile(r"(?P<pid>[1-9][0-9]{0,9})-(?P<token>[0-9a-f]{8})")


def _error(path: Path, err: OSError) -> OutputError:
    """``err`` met writing ``path`` as an OutputError that says what to do next."""
    hint = _HINTS.get(err.errno or 0, "").format(folder=visible(str(path.parent), newlines=False))
    return OutputError(path, err.strerror or str(err), errno=err.errno, hint=hint)


def _refused(path: Path, code: int) -> OutputError:
    return _error(path, OSError(code, os.strerror(code)))


def _prefix(name: str) -> str:
    """The start of every temporary name of target ``name``, shortened to leave room in :data:`NAME_MAX` bytes."""
    room = NAME_MAX - len(TEMP_MARK) - 1 - 10 - 1 - 8  # ".", pid (at most 10 digits), "-", token
    raw = name.encode("utf-8", "surrogateescape")
    if len(raw) > room:
        name = raw[:room].decode("utf-8", "surrogateescape")
    return "." + name + TEMP_MARK


def temp_name(target: str | os.PathLike[str], *, pid: int | None = None, token: str | None = None) -> str:
    """The name of a temporary file for ``target``: ``.NAME.geo-tmp-PID-TOKEN``, in the target's folder.

    Examples
    --------
    >>> temp_name("out/map.html", pid=4242, token="1a2b3c4d")
    '.map.html.geo-tmp-4242-1a2b3c4d'
    """
    return f"{_prefix(Path(target).name)}{os.getpid() if pid is None else pid}-{token or secrets.token_hex(4)}"


def check_target(path: str | os.PathLike[str]) -> Path:
    """Raise :class:`~geo.errors.OutputError` now if ``path`` cannot be written; cheap, for before slow work.

    Its folder must exist and be a folder, the folder must be writable (as far as
    ``os.access`` tells: root may still be refused, e.g. under ``/sys``), and
    ``path`` must not be a folder.  A full disk shows only when writing.

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     check_target(Path(tmp) / "nowhere" / "map.html")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geo.errors.OutputError: .../nowhere/map.html: cannot write: No such file or directory; folder ... create it first
    """
    path = Path(path)
    folder = path.parent
    try:
        if not stat.S_ISDIR(os.stat(folder).st_mode):
            raise _refused(path, errno.ENOTDIR)
    except OSError as err:
        if isinstance(err, OutputError):
            raise
        raise _error(path, err) from err
    if path.is_dir():
        raise _refused(path, errno.EISDIR)
    if not os.access(folder, os.W_OK | os.X_OK):
        read_only = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
        raise _refused(path, errno.EROFS if read_only else errno.EACCES)
    return path


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    except (OverflowError, ValueError):  # not a process id this system can have
        return False
    return True


def sweep_stale(path: str | os.PathLike[str], *, now: float | None = None) -> list[Path]:
    """Remove the temporary files (or build folders) an interrupted write of ``path`` left in its folder.

    Only names :func:`temp_name` makes for this target count, and only those that
    are stale: their process id is not running, or they are older than
    :data:`STALE_AFTER_SECONDS`.  Live writes, other targets' temporary files,
    links and every other file are left alone; a file that cannot be removed is
    skipped (best effort).  :func:`write_atomic` calls this before each write.

    Returns
    -------
    list of pathlib.Path
        What was removed.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     dead = Path(tmp) / temp_name("map.html", pid=999_999_999)   # no such process
    ...     live = Path(tmp) / temp_name("map.html")                     # this process: kept
    ...     _ = dead.write_text("half a map"), live.write_text("being written")
    ...     print([p.name == dead.name for p in sweep_stale(Path(tmp) / "map.html")], live.exists())
    [True] True
    """
    path = Path(path)
    folder = path.parent
    prefix = _prefix(path.name)
    now = time.time() if now is None else now
    removed = []
    try:
        with os.scandir(folder) as scan:
            entries = [entry for entry in scan if entry.name.startswith(prefix)]
    except OSError:
        return removed
    for entry in entries:
        found = _TOKEN.fullmatch(entry.name, len(prefix))
        if found is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if _running(int(found["pid"])) and now - info.st_mtime <= STALE_AFTER_SECONDS:
                continue
            if stat.S_ISREG(info.st_mode):
                os.unlink(entry.path)
            elif stat.S_ISDIR(info.st_mode):
                shutil.rmtree(entry.path)
            else:
                continue
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: not every file system lets a folder be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _kept_mode(path: Path) -> int | None:
    """The permission bits of the file at ``path`` (kept by its replacement), or None if there is none."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return stat.S_IMODE(info.st_mode) & 0o777 if stat.S_ISREG(info.st_mode) else None


def _create(folder: Path, target: Path, made: list[Path], *, directory: bool = False, mode: int = 0o666
            ) -> int | None:
    """Make a new temporary file for ``target`` in ``folder`` and return its descriptor, open for writing (mode
    ``mode & ~umask``); or with ``directory``, a new temporary folder (mode ``0o700``) and None.  Its path is
    appended to ``made``."""
    for _ in range(100):
        tmp = folder / temp_name(target)
        try:
            if directory:
                os.mkdir(tmp, 0o700)
                made.append(tmp)
                return None
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode)
            made.append(tmp)
            return fd
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, f"no free temporary name beside {target}")


def _remove(paths: Iterable[Path]) -> None:
    """Remove temporary files and folders (best effort: one already gone is fine)."""
    for path in paths:
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


@contextlib.contextmanager
def _cleaned_up(path: Path, made: list[Path]) -> Iterator[None]:
    """If the block fails in any way (Ctrl-C too), remove what ``made`` lists; a system error becomes an
    :class:`~geo.errors.OutputError` naming ``path``."""
    try:
        yield
    except BaseException as err:
        _remove(made)
        if isinstance(err, OSError) and not isinstance(err, OutputError):
            raise _error(path, err) from err
        raise


@dataclass
class _Staged:
    """Files written and synced, waiting to be renamed into place (see :func:`together`)."""

    moves: list[tuple[Path, Path]] = field(default_factory=list)   # (temporary file, target)
    leftovers: list[Path] = field(default_factory=list)            # temporary files and folders to remove

    def discard(self) -> None:
        """Remove every temporary file and folder left (those renamed into place are gone already)."""
        _remove([tmp for tmp, _ in self.moves] + self.leftovers)


_STAGED: contextvars.ContextVar[_Staged | None] = contextvars.ContextVar("geo_atomic_staged", default=None)


def _commit(staged: _Staged) -> None:
    """Rename every staged file into place in order, sync their folders, then remove what is left."""
    try:
        for tmp, target in staged.moves:
            try:
                os.replace(tmp, target)
            except OSError as err:
                raise _error(target, err) from err
        for folder in dict.fromkeys(target.parent for _, target in staged.moves):
            _fsync_folder(folder)
    finally:
        staged.discard()


def _stage(tmp: Path, target: Path, leftovers: Iterable[Path] = ()) -> None:
    """Move ``tmp`` over ``target`` now, or at the end of the enclosing :func:`together` block."""
    staged = _STAGED.get()
    if staged is not None:
        staged.moves.append((tmp, target))
        staged.leftovers.extend(leftovers)
        return
    _commit(_Staged([(tmp, target)], list(leftovers)))


def _write_all(fd: int, raw: bytes) -> None:
    view = memoryview(raw)
    while view:
        view = view[os.write(fd, view):]


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` atomically: a reader sees the old file or the new one, never a part.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder must exist.
    data : str or bytes
        The content; text is written as UTF-8.

    Returns
    -------
    pathlib.Path
        ``path`` (inside :func:`together`, the file is there once the block ends).

    Raises
    ------
    geo.errors.OutputError
        If the file cannot be written (its folder is missing, it is a folder, no
        permission, a read-only or full disk); the previous file is left as it
        was and no temporary file remains.

    Examples
    --------
    >>> import os, stat, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_atomic(Path(tmp) / "figures.csv", "id,length_km\\n")
    ...     os.chmod(path, 0o600)
    ...     path = write_atomic(path, b"id,length_km\\nx,1.0\\n")     # replaces it, keeping its mode
    ...     print(path.read_text(), oct(stat.S_IMODE(path.stat().st_mode)), os.listdir(tmp))
    id,length_km
    x,1.0
     0o600 ['figures.csv']
    """
    path = check_target(path)
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    sweep_stale(path)
    made: list[Path] = []
    with _cleaned_up(path, made):
        kept = _kept_mode(path)
        # A replacement starts private and gets the old file's mode once written: no one can open it in between
        # under looser permissions than the old file's (permissions are checked when a file is opened).
        fd = _create(path.parent, path, made, mode=0o666 if kept is None else 0o600)
        try:
            _write_all(fd, raw)
            os.fsync(fd)
            if kept is not None:
                os.fchmod(fd, kept)
        finally:
            os.close(fd)
        _stage(made[0], path)
    return path


@contextlib.contextmanager
def building(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Build ``path`` with a library that writes to a path of its own (GDAL), then move it into place atomically.

    Yields a path ``path.name`` inside a new temporary folder ``.NAME.geo-tmp-PID-TOKEN``
    beside ``path`` (so journal files the library makes stay in there too).  When the
    block ends without error the built file is ``fsync``-ed, given the mode
    :func:`write_atomic` would give, and renamed over ``path``; the temporary folder
    is removed in every case.

    Raises
    ------
    geo.errors.OutputError
        If ``path`` cannot be written, or a system error (:class:`OSError`) escapes the block.

    Examples
    --------
    >>> import sqlite3, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with building(Path(tmp) / "points.sqlite") as build:
    ...         with contextlib.closing(sqlite3.connect(build)) as db:
    ...             _ = db.execute("CREATE TABLE points (lon REAL, lat REAL)")
    ...     print(os.listdir(tmp))
    ['points.sqlite']
    """
    path = check_target(path)
    sweep_stale(path)
    made: list[Path] = []
    with _cleaned_up(path, made):
        _create(path.parent, path, made, directory=True)
        tmpdir = made[0]
        # The mode a new file gets here (the umask, and any default ACL of the folder), from a probe file.
        fd = _create(tmpdir, path, [])
        new_mode = stat.S_IMODE(os.fstat(fd).st_mode)
        os.close(fd)
        _remove(tmpdir.iterdir())
        built = tmpdir / path.name
        yield built
        fd = os.open(built, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        mode = _kept_mode(path)
        os.chmod(built, new_mode if mode is None else mode)
        _stage(built, path, [tmpdir])


@contextlib.contextmanager
def together() -> Iterator[None]:
    """Write several files all or none: :func:`write_atomic` and :func:`building` inside the block wait.

    Each write inside the block writes and ``fsync``-s its temporary file as usual
    but renames it into place only when the block ends without error, all in the
    order written; if anything raises, every temporary file is removed and no
    target changes.  The renames themselves are quick but not one atomic step: if
    one of them fails (or the machine stops between two), the files renamed before
    it are new and the rest old, each whole.  Blocks nest (the outermost renames).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     page, snippet = Path(tmp) / "map.html", Path(tmp) / "map.embed.html"
    ...     try:
    ...         with together():
    ...             _ = write_atomic(page, "<html>new</html>")
    ...             raise RuntimeError("the snippet could not be made")
    ...     except RuntimeError:
    ...         pass
    ...     print(os.listdir(tmp))                     # neither written, no temporary file left
    []
    """
    if _STAGED.get() is not None:
        yield
        return
    staged = _Staged()
    token = _STAGED.set(staged)
    try:
        yield
    except BaseException:
        staged.discard()
        raise
    finally:
        _STAGED.reset(token)
    _commit(staged)


def write_atomic_many(items: Iterable[tuple[str | os.PathLike[str], str | bytes]]) -> list[Path]:
    """Write several files, all or none: every temporary file is written and synced before any rename.

    Parameters
    ----------
    items : iterable of (path, data)
        As for :func:`write_atomic`.

    Returns
    -------
    list of pathlib.Path
        The paths, in order.

    Raises
    ------
    geo.errors.OutputError
        If any cannot be written: then none is replaced (see :func:`together` for
        the one exception, a failing rename).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     written = write_atomic_many([(Path(tmp) / "map.html", "<html></html>"),
    ...                                  (Path(tmp) / "map.embed.html", "<figure></figure>")])
    ...     print([p.name for p in written], sorted(os.listdir(tmp)))
    ['map.html', 'map.embed.html'] ['map.embed.html', 'map.html']
    """
    items = [(Path(path), data) for path, data in items]
    for path, _ in items:  # every target first: a missing folder fails before anything is written
        check_target(path)
    with together():
        return [write_atomic(path, data) for path, data in items]
