// The p2psim executable: everything is in P2PSimCLI, so tests can drive the commands directly.
import P2PSimCLI

P2PSimCommand.main()
