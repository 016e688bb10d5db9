-- GET one of N seeded ConfigMaps at random (N from the OBJECTS environment variable).
local objects = tonumber(os.getenv("OBJECTS") or "1000")
request = function()
  return wrk.format("GET", "/api/v1/namespaces/default/configmaps/bench-" .. math.random(0, objects - 1))
end
