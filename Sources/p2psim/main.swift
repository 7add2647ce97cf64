// The p2psim executable: everything is in P2PSimCLI, so tests can drive the commands directly.
import P2PSimCLI

HugePages.reexecuteWithHugePagesIfUseful()  // may restart this process once (see HugePages)
P2PSimCommand.main()
