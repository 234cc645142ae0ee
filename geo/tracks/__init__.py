"""Reports to tracks: locating waypoints, estimated entries and exits, stops and timing."""
