-- Merge-patch one of N seeded ConfigMaps at random: every request is a real write (new resourceVersion).
local objects = tonumber(os.getenv("OBJECTS") or "1000")
local counter = 0
request = function()
  counter = counter + 1
  local body = '{"data":{"v":"' .. counter .. '"}}'
  return wrk.format("PATCH", "/api/v1/namespaces/default/configmaps/bench-" .. math.random(0, objects - 1),
    {["Content-Type"] = "application/merge-patch+json"}, body)
end
