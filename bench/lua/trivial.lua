-- GET / of bench/trivial_app.py.
dofile(os.getenv("KC_BENCH_LUA_DIR") .. "/report.lua")
