#!/bin/bash
# Install what the zoo needs on a fresh Debian/Ubuntu machine: fonts and a word list for the
# synthesizers (Debian packages) and the pinned Python packages (requirements.txt).
# Already-installed packages are skipped, so running it again is quick.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEB_PACKAGES=(
  wamerican fontconfig
  fonts-dejavu-core fonts-liberation fonts-liberation2 fonts-freefont-ttf fonts-urw-base35 fonts-croscore
  fonts-crosextra-carlito fonts-crosextra-caladea fonts-open-sans fonts-roboto-unhinted fonts-cantarell
  fonts-ebgaramond fonts-linuxlibertine fonts-inconsolata fonts-noto-mono fonts-lato fonts-texgyre
  fonts-firacode fonts-hack fonts-comic-neue fonts-league-spartan fonts-jetbrains-mono fonts-dancingscript
  fonts-sil-gentium fonts-noto-cjk fonts-lxgw-wenkai
)
missing=()
for package in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi
echo "installing Python packages (requirements.txt)"
python3 -m pip install -q --disable-pip-version-check -r "$ROOT/requirements.txt" 2>&1 \
  | grep -v "Running pip as the 'root' user" || true
python3 -c "import mindspore, numpy, cv2, lmdb; print(f'mindspore {mindspore.__version__}, numpy {numpy.__version__}')"
