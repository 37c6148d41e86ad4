#!/usr/bin/env bash
# Regenerates the plugin's languages/korea-checkout.pot from the PHP sources, merges it into
# every .po and compiles the .mo files (Debian gettext; installed when missing).
#   scripts/wp_i18n.sh          pot + merge + compile
#   scripts/wp_i18n.sh compile  only compile .po -> .mo
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/../wp-plugin/korea-checkout"
if ! command -v msgfmt >/dev/null 2>&1; then
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq gettext >/dev/null
fi
if [ "${1:-}" != compile ]; then
  find . -name '*.php' | sort | xargs xgettext --language=PHP --from-code=UTF-8 \
    --keyword=__ --keyword=_e --keyword=esc_html__ --keyword=esc_html_e \
    --keyword=esc_attr__ --keyword=esc_attr_e --keyword=_x:1,2c --keyword=_n:1,2 \
    --add-comments=translators --package-name="Korea Checkout" --package-version=1.0.0 \
    --msgid-bugs-address="https://koreacheckout.com/" --sort-by-file \
    -o languages/korea-checkout.pot
  sed -i 's/^"Content-Type: text\/plain; charset=CHARSET\\n"/"Content-Type: text\/plain; charset=UTF-8\\n"/' languages/korea-checkout.pot
  # The plugin's header, which WordPress translates on the Plugins screen.
  for header in "Plugin Name" "Description"; do
    value="$(sed -n "s/^ \* $header: *//p" korea-checkout.php)"
    printf '\n#. %s of the plugin\nmsgid "%s"\nmsgstr ""\n' "$header" "${value//\"/\\\"}" >> languages/korea-checkout.pot
  done
  for po in languages/*.po; do
    msgmerge --quiet --update --backup=none --no-fuzzy-matching "$po" languages/korea-checkout.pot
  done
fi
for po in languages/*.po; do
  msgfmt --check --output-file="${po%.po}.mo" "$po"
done
