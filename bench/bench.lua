-- bench.lua - the three shipped programs (rules/*.rules) in Lua, over the
-- flat arrays of the benchmark's data set (mkdata.c writes them as text).
-- Runs under Lua 5.4 and LuaJIT 2.1 as a coprocess of the driver:
--
--   lua5.4 bench/bench.lua DATA.luadat 5.4
--   luajit bench/bench.lua DATA.luadat jit
--
-- It loads the data, prints "ready NCARTS", then answers each line
-- "run K" with the checksum of K sweeps over every cart (the driver times
-- the request), until "quit" or end of input.
--
-- Lua's best case: parallel flat arrays of numbers, no table per cart, no
-- allocation while evaluating.  The same arithmetic as bench/native.c and
-- the same checksum as bench/flat.h (exact: integers in Lua 5.4, doubles
-- below 2^53 in LuaJIT).  Integer division is written IDIV(a, b) below and
-- expanded before loading: a // b in Lua 5.4, math.floor(a / b) in LuaJIT
-- (which has no // operator), so each dialect gets its fastest form.

local path, dialect = arg[1], arg[2] or "5.4"
local fh = assert(io.open(path, "r"))
local text = fh:read("*a")
fh:close()

local tokens = text:gmatch("%S+")
assert(tokens() == "ptrbench1", "not a bench data file")
local function nxt() return tonumber(tokens()) end
local ncarts, nitems, ncats, jcb = nxt(), nxt(), nxt(), nxt()

local excl = {}
for k = 1, ncats do excl[k] = nxt() == 1 end

local first, nit, date, card = {}, {}, {}, {}
local dplinked, dvp, prime, oklinked, rclinked = {}, {}, {}, {}, {}
local dpbal, dpe3, dpetm, dpbonus, okbal, rcbal = {}, {}, {}, {}, {}, {}
local function bit(x, b) return math.floor(x / b) % 2 end
for i = 1, ncarts do
	first[i], nit[i], date[i], card[i] = nxt(), nxt(), nxt(), nxt()
	local fl = nxt()
	dplinked[i], dvp[i], prime[i] = bit(fl, 1), bit(fl, 2), bit(fl, 4)
	oklinked[i], rclinked[i] = bit(fl, 8), bit(fl, 16)
	dpbal[i], dpe3[i], dpetm[i], dpbonus[i], okbal[i], rcbal[i] = nxt(), nxt(), nxt(), nxt(), nxt(), nxt()
end
local price, qty, cat = {}, {}, {}
for k = 1, nitems do price[k], qty[k], cat[k] = nxt(), nxt(), nxt() end
text, tokens = nil, nil
collectgarbage()

-- days since 1970-01-01 (as in flat.h)
local function days(y, m, d)
	if m <= 2 then y = y - 1 end
	local era = math.floor(y / 400)
	local yoe = y - era * 400
	local mm = m > 2 and m - 3 or m + 9
	local doy = math.floor((153 * mm + 2) / 5) + d - 1
	local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
	return era * 146097 + doe - 719468
end

local kernel = [=[
local first, nit, date, card, dplinked, dvp, prime, oklinked, rclinked,
      dpbal, dpe3, dpetm, dpbonus, okbal, rcbal, price, qty, cat, excl,
      D20241002, D20260112, D20260301, JCB = ...
local floor = math.floor

-- day of the month of a day number (after 1970)
local function mday(z)
	z = z + 719468
	local era = IDIV(z, 146097)
	local doe = z - era * 146097
	local yoe = IDIV(doe - IDIV(doe, 1460) + IDIV(doe, 36524) - IDIV(doe, 146096), 365)
	local doy = doe - (365 * yoe + IDIV(yoe, 4) - IDIV(yoe, 100))
	local mp = IDIV(5 * doy + 2, 153)
	return doy - IDIV(153 * mp + 2, 5) + 1
end

return function(n)
	local ck, w = 0, 0
	for i = 1, n do
		local earn, dmax, dyen, omax, oyen, rmax, ryen, du, ou, ru = 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
		local dl, ol, rl = dplinked[i], oklinked[i], rclinked[i]
		if dl + ol + rl > 0 then
			local elig = 0
			local k0 = first[i]
			for k = k0, k0 + nit[i] - 1 do
				if not excl[cat[k]] then elig = elig + price[k] * qty[k] end
			end
			local d = date[i]
			if dl == 1 then
				du = 1
				local b = dpbal[i]
				if b < elig then dmax = b else dmax = elig end
				dyen = dmax
				if elig >= 5000 then
					local base = IDIV(elig, 100)
					if base > 100 then base = 100 end
					local e3 = dpe3[i]
					local m2, cap
					if d <= D20241002 then
						if e3 >= 5000 then m2, cap = 5, 250
						elseif e3 >= 600 then m2, cap = 4, 200
						elseif e3 >= 100 then m2, cap = 3, 150
						else m2, cap = 2, 100 end
					else
						if e3 >= 5000 then m2, cap = 4, 200
						elseif e3 >= 50 then m2, cap = 3, 150
						else m2, cap = 2, 100 end
					end
					local pts = IDIV(base * m2, 2)
					local room = cap - dpetm[i]
					if room < 0 then room = 0 end
					if pts > room then pts = room end
					if dvp[i] == 1 and d >= D20260301 and mday(d) == 5 then
						local extra = base * (prime[i] == 1 and 4 or 2)
						local room2 = 600 - dpbonus[i]
						if room2 < 0 then room2 = 0 end
						if extra > room2 then extra = room2 end
						pts = pts + extra
					end
					earn = pts
				end
			end
			if ol == 1 and d <= D20260112 and card[i] == JCB then
				ou = 1
				local m = IDIV(elig * 2, 7)
				local b = okbal[i]
				if b < m then m = b end
				omax = m
				oyen = IDIV(m * 7, 2)
			end
			if rl == 1 then
				ru = 1
				local b = rcbal[i]
				if b < elig then rmax = b else rmax = elig end
				ryen = rmax
			end
		end
		w = w + 1
		if w > 61 then w = 1 end
		ck = ck + w * (earn + 3 * dmax + 5 * dyen + 7 * omax + 11 * oyen + 13 * rmax + 17 * ryen
			       + 19 * (du + 2 * ou + 4 * ru))
	end
	return ck
end
]=]

-- Expand IDIV(a, b), innermost last (each pass rewrites the outermost).
local function split_args(s)   -- s is "(a, b)"
	local depth = 0
	for p = 2, #s - 1 do
		local c = s:sub(p, p)
		if c == "(" then depth = depth + 1
		elseif c == ")" then depth = depth - 1
		elseif c == "," and depth == 0 then return s:sub(2, p - 1), s:sub(p + 1, -2) end
	end
	error("IDIV needs two arguments: " .. s)
end
repeat
	local n
	kernel, n = kernel:gsub("IDIV(%b())", function(args)
		local a, b = split_args(args)
		if dialect == "jit" then return "floor((" .. a .. ") / (" .. b .. "))" end
		return "((" .. a .. ") // (" .. b .. "))"
	end)
until n == 0

local chunk = assert(load(kernel, "=kernel"))
local sweep = chunk(first, nit, date, card, dplinked, dvp, prime, oklinked, rclinked,
		    dpbal, dpe3, dpetm, dpbonus, okbal, rcbal, price, qty, cat, excl,
		    days(2024, 10, 2), days(2026, 1, 12), days(2026, 3, 1), jcb)

io.write("ready ", ncarts, "\n")
io.flush()
for line in io.lines() do
	local cmd, k = line:match("^(%a+)%s*(%d*)")
	if cmd == "run" then
		local ck = 0
		for _ = 1, tonumber(k) or 1 do ck = sweep(ncarts) end
		io.write(string.format("%.0f\n", ck))
		io.flush()
	elseif cmd == "quit" then
		break
	end
end
