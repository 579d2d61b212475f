// Filled in by the mesh work.
enum MeshNodePlaceholder {}
