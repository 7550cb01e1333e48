# The two commands (see README.md), and the release build. Each installs what is missing first.
.PHONY: run test release

## Start Talentloom on http://127.0.0.1:3000 with an embedded SQLite database in ./data.
## Every cargo-leptos build takes --split: pages are separate wasm chunks (app/src/pages.rs).
run:
	.ci/setup.sh
	cargo leptos serve --split

## Run the whole test suite (formatting, lints, SQLite + PostgreSQL, browser tests).
test:
	.ci/test.sh

## Build the optimised server and site for deployment (README.md, "Deploying").
release:
	.ci/release.sh
