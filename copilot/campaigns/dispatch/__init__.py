"""Sending scheduled campaigns: claim recipients, send through a channel, mark them.

`channels` holds one adapter per channel behind the `Sender` interface; the queue (huey)
only carries "work on campaign X"; which recipient is sent, and that it is sent once, is
decided by the recipient rows in the state database.

    claims     claim a batch with a lease; mark sent / failed / skipped / retry / release
    checks     the rules again at send time (opt-out, caps) and the members' contacts
    pace       messages a second per channel, per worker process
    run        one campaign: claim, check, send in paced slices, mark, finish
    progress   counts per state, which campaigns have work, finishing
    scheduler  the tick: start due campaigns, name those with work
    runtime    what a worker process sends with (stores, loop, HTTP client, senders)
    queue      the huey queue (SQLite file or Redis) and its two tasks
"""
