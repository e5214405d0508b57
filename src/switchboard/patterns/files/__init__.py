"""Where the org's file bytes go, as ``switchboard.yaml`` declares it (``files:``):
the section's models (:mod:`.config`), its checks (:mod:`.check`) and the pattern that
applies it to the running org (:mod:`.pattern`)."""

from .config import FileRoute, FilesSection, FileStore, files_config

__all__ = ["FileRoute", "FileStore", "FilesSection", "files_config"]
