"""The parts of seeds 003 and 004's interactive explorers (`python -m demos explore`, the live
app; `python -m demos explore_replay`, its offline replay in the report):

    config.py      the settings of one run, their limits and their checking
    tasks.py       the network, data and loss of a run, from nets
    training.py    train_steps: one engine step at a time, with the gradient of every layer
    runs.py        runs in worker threads, one per page, read by an event stream
    server.py      the HTTP server (http.server) and its guards: token, Host, limits
    client.py      a small client of its API (the self-check and the tests)
    page.py        the page, live or replay; explorer.html/.css/.js and plots.js inside it
    block_page.py  seed 003's view: the block stepper and the two reach columns
"""
