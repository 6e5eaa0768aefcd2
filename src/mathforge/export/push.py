"""Upload an exported folder to the Hugging Face Hub — only when the caller allows network access, and
with every reason it cannot (not allowed, offline, no token, unknown licence, a Hub error) as one line
that also says where the export is, since the export itself is done by then."""

from __future__ import annotations

from pathlib import Path

from mathforge import __version__
from mathforge.export.discover import ExportError


def push_to_hub(
    out: str | Path,
    repo_id: str,
    *,
    private: bool = False,
    license_known: bool = True,
    allow_network: bool = False,
) -> str:
    """Create ``repo_id`` (if needed) and upload ``out``; returns the repository URL."""
    out = Path(out)
    where = f"the export is in {out}"
    if not allow_network:
        raise ExportError(f"cannot push: uploading needs network access; pass --allow-network ({where})")
    try:
        import huggingface_hub
        from huggingface_hub import HfApi
    except ImportError:
        raise ExportError(
            f"cannot push: huggingface_hub is not installed (pip install huggingface_hub); {where}"
        ) from None
    if getattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False):
        raise ExportError(f"cannot push: HF_HUB_OFFLINE is set (offline mode); {where}")
    token = huggingface_hub.get_token()
    if not token:
        raise ExportError(
            f"cannot push: no Hugging Face token found (set HF_TOKEN or run `hf auth login`); {where}"
        )
    if not license_known:
        raise ExportError(f"cannot push: the licence is unknown; pass --license ({where})")
    try:
        api = HfApi(token=token)
        url = api.create_repo(repo_id, private=private, exist_ok=True)
        api.upload_folder(
            folder_path=str(out),
            repo_id=repo_id,
            commit_message=f"Upload model exported by mathforge {__version__}",
        )
    except Exception as exc:  # network, auth, name: one actionable line
        msg = str(exc).strip().splitlines()
        raise ExportError(
            f"cannot push to {repo_id}: {type(exc).__name__}: {msg[0] if msg else ''}; {where}"
        ) from None
    return str(url)
