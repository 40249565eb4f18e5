#!/bin/bash
# Install what the zoo needs on a fresh Debian/Ubuntu machine: fonts, a word list and speech engines for the
# synthesizers (Debian packages) and the pinned Python packages (requirements.txt) in a Python
# environment of the project's own:
#   - the active virtual or conda environment, when one is active ($VIRTUAL_ENV or $CONDA_PREFIX);
#   - otherwise .venv at the repository root, made with `python3 -m venv` (python3-venv is installed
#     when missing), so that a distribution Python protected by PEP 668 is never touched.
# Prints the environment's python as its last line.  Already-installed packages are skipped, so running
# it again is quick.  Activate the environment yourself with `source .venv/bin/activate`.
# Usage: bash scripts/setup_env.sh [--tests]   (--tests: requirements-test.txt, which adds PyTorch for the
#        converters' tests, instead of requirements.txt)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
REQUIREMENTS="$ROOT/requirements.txt"
case "${1:-}" in
  "") ;;
  --tests) REQUIREMENTS="$ROOT/requirements-test.txt" ;;
  *) echo "error: unknown option $1 (usage: bash scripts/setup_env.sh [--tests])" >&2; exit 2 ;;
esac
DEB_PACKAGES=(
  wamerican fontconfig
  fonts-dejavu-core fonts-liberation fonts-liberation2 fonts-freefont-ttf fonts-urw-base35 fonts-croscore
  fonts-crosextra-carlito fonts-crosextra-caladea fonts-open-sans fonts-roboto-unhinted fonts-cantarell
  fonts-ebgaramond fonts-linuxlibertine fonts-inconsolata fonts-noto-mono fonts-lato fonts-texgyre
  fonts-firacode fonts-hack fonts-comic-neue fonts-league-spartan fonts-jetbrains-mono fonts-dancingscript
  fonts-sil-gentium fonts-noto-cjk fonts-lxgw-wenkai fonts-arphic-ukai fonts-arphic-gkai00mp fonts-wqy-microhei
  fonts-wqy-zenhei fortunes-zh
  # more Latin text designs for the word synthesizer (issue 20); src/model_utils/word_synth.py OOD_DESIGNS holds some out
  fonts-adf-accanthis fonts-adf-baskervald fonts-adf-berenis fonts-adf-gillius fonts-adf-ikarius fonts-adf-irianis
  fonts-adf-libris fonts-adf-mekanus fonts-adf-oldania fonts-adf-romande fonts-adf-switzera fonts-adf-tribun
  fonts-adf-universalis fonts-adf-verana fonts-averia-gwf fonts-averia-sans-gwf fonts-averia-serif-gwf fonts-b612
  fonts-beteckna fonts-cabin fonts-century-catalogue fonts-clear-sans fonts-cmu fonts-comfortaa fonts-courier-prime
  fonts-dejavu-extra fonts-dosis fonts-fanwood fonts-go fonts-goudybookletter fonts-humor-sans fonts-inter
  fonts-junction fonts-jura fonts-karla fonts-lindenhill fonts-lobstertwo fonts-manrope fonts-mononoki
  fonts-national-park fonts-oldstandard fonts-oxygen fonts-play fonts-prociono fonts-quattrocento fonts-quicksand
  fonts-roboto-slab fonts-sil-andika fonts-sil-charis fonts-sil-doulos fonts-sora fonts-tuffy fonts-vollkorn
  fonts-yanone-kaffeesatz fonts-anonymous-pro fonts-kaushanscript fonts-kristi fonts-rufscript fonts-tomsontalks
  fonts-paratype fonts-opendyslexic fonts-arapey fonts-ocr-b
  # Chinese designs kept out of handwriting training: the out-of-distribution lines (handwritten_zh/src/ood_lines.py)
  fonts-arphic-uming fonts-arphic-gbsn00lp fonts-klee fonts-yusei-magic
  flite espeak-ng wordnet-base
)
apt_install() {  # apt_install PACKAGE...: install the Debian packages that are missing
  local missing=() package sudo=""
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing Debian packages: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
}

apt_install "${DEB_PACKAGES[@]}"

if [ -n "${VIRTUAL_ENV:-}" ] && [ -x "$VIRTUAL_ENV/bin/python" ]; then
  PY="$VIRTUAL_ENV/bin/python"
elif [ -n "${CONDA_PREFIX:-}" ] && [ -x "$CONDA_PREFIX/bin/python" ]; then
  PY="$CONDA_PREFIX/bin/python"
else
  VENV="$ROOT/.venv"
  if [ ! -x "$VENV/bin/pip" ]; then
    echo "creating the virtual environment $VENV" >&2
    if ! python3 -m venv "$VENV" > /dev/null 2>&1; then  # Debian/Ubuntu ship venv's pip in python3-venv
      rm -rf "$VENV"
      apt_install python3-venv "python3.$(python3 -c 'import sys; print(sys.version_info[1])')-venv"
      python3 -m venv "$VENV"
    fi
  fi
  PY="$VENV/bin/python"
fi

# pip runs only when the requirement files changed since the last install of this set into this environment
stamp="$("$PY" -c 'import sys; print(sys.prefix)')/.ctc_zoo_$(basename "$REQUIREMENTS" .txt).sha256"
wanted="$(cat "$ROOT"/requirements*.txt | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "installing Python packages ($(basename "$REQUIREMENTS")) into $("$PY" -c 'import sys; print(sys.prefix)')" >&2
  "$PY" -m pip install -q --disable-pip-version-check -r "$REQUIREMENTS" 2>&1 \
    | grep -v "Running pip as the 'root' user" >&2 || true
  "$PY" -c "import mindspore, numpy, cv2, lmdb" && echo "$wanted" > "$stamp"
fi
"$PY" -c "import mindspore, numpy; print(f'mindspore {mindspore.__version__}, numpy {numpy.__version__}')" >&2
echo "$PY"
