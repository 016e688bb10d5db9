// The reconciler that turns approved ElevationRequests into mesh objects for their window.
