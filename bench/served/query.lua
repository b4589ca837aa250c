-- wrk script: POSTs the pre-encoded bodies of a file (one JSON document per line, given after
-- `--`) in turn. Requests are formatted once in init, so that wrk's Lua adds next to nothing per
-- request; each thread starts at its own offset so two threads do not send the same sequence.

local threads = 0
function setup(thread)
    thread:set("offset", threads * 101)
    threads = threads + 1
end

local requests, count, i = {}, 0, 0
function init(args)
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    for line in io.lines(args[1]) do
        count = count + 1
        requests[count] = wrk.format(nil, nil, nil, line)
    end
    if count == 0 then
        error("no request bodies in " .. args[1])
    end
    i = (offset or 0) % count
end

function request()
    i = i % count + 1
    return requests[i]
end
