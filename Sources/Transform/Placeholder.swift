// Transform
